import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { memo } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { DocumentMeta } from '../../../contracts/index.js';
import { PAGE_SIZE, queries } from '../../api/queries.js';
import type { DocumentFilters } from '../../api/query-params.js';
import { useNames, type Names } from '../../api/use-names.js';
import { Field } from '../../components/Field.js';
import { FilePath } from '../../components/FilePath.js';
import { Pager, SelectFilter, useParamSetter } from '../../components/filters.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { StaleBanner } from '../../components/StaleBanner.js';
import { Empty, ErrorState, Loading, PageHeader } from '../../components/states.js';
import { useFlash } from '../../live/flash.js';
import { useStoryTitle } from '../stories/use-story-title.js';
import { formatBytes, KNOWN_KINDS, kindLabel, VIEWER_LABEL, viewerFor } from './content.js';

function filtersFrom(params: URLSearchParams): DocumentFilters {
  const page = Number(params.get('page') ?? '1');
  return {
    projectId: params.get('projectId') ?? undefined,
    storyId: params.get('storyId') ?? undefined,
    kind: params.get('kind') ?? undefined,
    page: Number.isInteger(page) && page > 0 ? page : 1,
  };
}

const COLS = 'md:grid md:grid-cols-[minmax(0,2.2fr)_8rem_minmax(0,1fr)_minmax(0,2fr)_8.5rem_7rem] md:items-center md:gap-3';

const DocumentRow = memo(function DocumentRow({ d, names }: { d: DocumentMeta; names: Names }) {
  const ref = useFlash<HTMLLIElement>(d.id);
  const viewer = viewerFor(d.mimeType);
  const size = d.sizeBytes !== null && d.sizeBytes !== undefined ? formatBytes(d.sizeBytes) : null;
  return (
    <li ref={ref} data-testid="document-row" data-document-id={d.id} className={`${COLS} space-y-1 border-b border-border px-3 py-2 md:space-y-0`}>
      <div className="flex min-w-0 items-baseline gap-2">
        <Link
          to={`/documents/${encodeURIComponent(d.id)}`}
          className="block min-w-0 font-medium text-accent underline-offset-2 wrap-anywhere hover:underline md:truncate"
          title={d.title}
        >
          {d.title}
        </Link>
        {d.supersededBy && (
          <span
            className="shrink-0 rounded bg-info-bg px-1.5 text-xs text-info"
            title={`Earlier version of ${d.supersededBy}`}
            data-testid="document-superseded-mark"
          >
            earlier version
          </span>
        )}
      </div>
      <Field label="Kind" title={d.kind ? kindLabel(d.kind) : undefined}>
        {d.kind ? kindLabel(d.kind) : <span className="text-muted">—</span>}
      </Field>
      <Field label="Project" title={names.project(d.projectId) ?? undefined}>
        {d.projectId ? (
          <Link to={`/projects/${encodeURIComponent(d.projectId)}`} className="hover:underline">
            {names.project(d.projectId)}
          </Link>
        ) : (
          <span className="text-muted">none</span>
        )}
      </Field>
      <Field label="File">{d.path ? <FilePath path={d.path} /> : <span className="text-muted">unknown</span>}</Field>
      <Field
        label="Type"
        title={`${viewer ? VIEWER_LABEL[viewer] : 'Other'}${size ? ` · ${size}` : ''} (${d.mimeType}${viewer ? '' : ', not shown in the browser'})`}
      >
        {viewer ? VIEWER_LABEL[viewer] : 'Other'}
        {size && <span className="text-muted"> · {size}</span>}
      </Field>
      <Field label="Updated">
        <RelativeTime value={d.updatedAt ?? d.createdAt} />
      </Field>
    </li>
  );
});

export default function DocumentsPage() {
  const [params] = useSearchParams();
  const filters = filtersFrom(params);
  const names = useNames();
  const storyTitle = useStoryTitle(filters.storyId);
  const list = useQuery({ ...queries.documents(filters), placeholderData: keepPreviousData });
  const set = useParamSetter();
  const kinds = [...new Set([...KNOWN_KINDS, ...(list.data?.items.map((d) => d.kind).filter((k): k is string => !!k) ?? [])])];
  return (
    <section>
      <PageHeader title="Documents">
        {list.data && (
          <span className="text-sm text-muted">
            {list.data.total} document{list.data.total === 1 ? '' : 's'}
          </span>
        )}
      </PageHeader>
      <StaleBanner modules={['document']} />
      <div className="mb-4 flex flex-wrap items-center gap-3" role="search" aria-label="Filter documents">
        <SelectFilter
          label="Project"
          name="projectId"
          value={filters.projectId}
          onChange={(v) => set({ projectId: v })}
          options={(names.directory?.projects ?? []).map((p) => ({ id: p.id, label: p.name }))}
        />
        <SelectFilter
          label="Kind"
          name="kind"
          value={filters.kind}
          onChange={(v) => set({ kind: v })}
          options={kinds.map((k) => ({ id: k, label: kindLabel(k) }))}
        />
        {filters.storyId && (
          <span className="flex min-w-0 items-center gap-1 rounded-full border border-border bg-surface px-2.5 py-1 text-xs">
            <span className="min-w-0 truncate" title={storyTitle ?? filters.storyId}>
              Story: {storyTitle ?? '…'}
            </span>
            <button
              type="button"
              onClick={() => set({ storyId: undefined })}
              className="rounded px-1 text-muted hover:text-fg"
              aria-label={`Clear the story filter ${storyTitle ?? filters.storyId}`}
            >
              ✕
            </button>
          </span>
        )}
      </div>
      {list.isPending ? (
        <Loading what="documents" />
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <Empty>
          {filters.projectId || filters.kind || filters.storyId
            ? 'No documents match these filters.'
            : 'No documents yet. The BMAD connector registers PRDs, architectures, epics, stories and QA gates as it finds them.'}
        </Empty>
      ) : (
        <div className="overflow-hidden rounded-md border border-border bg-surface">
          <div aria-hidden="true" className={`${COLS} hidden border-b border-border bg-surface-2 px-3 py-2 text-xs font-semibold uppercase text-muted md:grid`}>
            <span>Title</span>
            <span>Kind</span>
            <span>Project</span>
            <span>File</span>
            <span>Type</span>
            <span>Updated</span>
          </div>
          <ul aria-label="Documents" data-testid="document-list">
            {list.data.items.map((d) => (
              <DocumentRow key={d.id} d={d} names={names} />
            ))}
          </ul>
        </div>
      )}
      {list.data && <Pager page={filters.page} pageSize={PAGE_SIZE} total={list.data.total} onPage={(p) => set({ page: String(p) })} />}
    </section>
  );
}
