import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { DocumentMeta } from '../../../contracts/index.js';
import { queries } from '../../api/queries.js';

/** An earlier dated planning run: says which document replaced it, linked when that one is registered. */
export function Superseded({ d }: { d: DocumentMeta & { supersededBy: string } }) {
  const siblings = useQuery({ ...queries.projectDocuments(d.projectId ?? ''), enabled: d.projectId !== null });
  const current =
    siblings.data?.items.find((x) => x.path === d.supersededBy && (x.root ?? null) === (d.root ?? null)) ??
    siblings.data?.items.find((x) => x.path === d.supersededBy);
  return (
    <div
      role="note"
      data-testid="document-superseded"
      data-current={d.supersededBy}
      className="mb-4 rounded-md border border-info bg-info-bg px-4 py-3 text-sm text-info"
    >
      <strong>Earlier version</strong> of{' '}
      {current ? (
        <Link to={`/documents/${encodeURIComponent(current.id)}`} className="break-all font-medium underline" data-testid="superseded-link">
          {d.supersededBy}
        </Link>
      ) : (
        <code className="break-all">{d.supersededBy}</code>
      )}
      : a newer planning run replaced it.
    </div>
  );
}
