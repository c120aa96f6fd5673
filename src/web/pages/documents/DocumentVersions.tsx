import type { DocumentVersion } from '../../../contracts/index.js';
import { useNames } from '../../api/use-names.js';
import { SeenIn } from '../../components/history/CommitRef.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { formatBytes } from './content.js';

function VersionItem({ v, current }: { v: DocumentVersion; current: boolean }) {
  const names = useNames();
  const who = names.who(v.actorId);
  return (
    <li
      className="flex min-w-0 flex-wrap items-baseline gap-x-2 gap-y-0.5 border-b border-border py-1.5 last:border-b-0"
      data-testid="document-version"
      data-commit={v.commit?.hash ?? ''}
      data-at={v.at}
    >
      <RelativeTime value={v.at} />
      {current && <span className="rounded bg-ok-bg px-1.5 text-xs text-ok">current</span>}
      {who && (
        <span className="min-w-0 break-words" data-testid="version-who">
          <span className="text-muted">by</span> {who}
        </span>
      )}
      {/* A registration without a commit is the file as the connector read it from disk (the working tree, an import). */}
      {v.commit ? <SeenIn seenIn="commit" commit={v.commit} /> : <span className="text-muted">as read from disk</span>}
      {v.sizeBytes !== null && <span className="text-xs text-muted">{formatBytes(v.sizeBytes)}</span>}
    </li>
  );
}

/**
 * Every version of the document, newest first (each registration; from git, each commit that changed it): folded to
 * one line naming the latest, opened to list them all.
 */
export function DocumentVersions({ versions }: { versions: readonly DocumentVersion[] }) {
  const names = useNames();
  const latest = versions[0];
  if (!latest) return null;
  return (
    <details className="mb-4 rounded-md border border-border bg-surface px-4 py-2 text-sm" data-testid="document-versions" data-count={versions.length}>
      <summary className="cursor-pointer">
        <span className="font-semibold">
          {versions.length} version{versions.length === 1 ? '' : 's'}
        </span>
        <span className="text-muted">
          {' '}
          · newest: <RelativeTime value={latest.at} />
          {latest.actorId && `, by ${names.who(latest.actorId) ?? ''}`}
        </span>
      </summary>
      <ol className="mt-1" aria-label="Versions, newest first">
        {versions.map((v, i) => (
          <VersionItem key={v.eventId} v={v} current={i === 0} />
        ))}
      </ol>
    </details>
  );
}
