import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { memo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { STATUS_MODEL, type Workflow } from '../../../contracts/index.js';
import { PAGE_SIZE, queries } from '../../api/queries.js';
import type { WorkflowFilters } from '../../api/query-params.js';
import { useNames, type Names } from '../../api/use-names.js';
import { Pager, readStatuses, SelectFilter, StatusFilter, useParamSetter } from '../../components/filters.js';
import { Field } from '../../components/Field.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { StaleBanner } from '../../components/StaleBanner.js';
import { isAlarming, StatusBadge } from '../../components/StatusBadge.js';
import { Empty, ErrorState, Loading, PageHeader } from '../../components/states.js';
import { useFlash } from '../../live/flash.js';
import { RunCost } from './RunCost.js';
import { StoryLink } from './StoryLink.js';

function filtersFrom(params: URLSearchParams): WorkflowFilters {
  const page = Number(params.get('page') ?? '1');
  return {
    status: readStatuses(params, STATUS_MODEL.workflow.statuses),
    projectId: params.get('projectId') ?? undefined,
    ownerId: params.get('ownerId') ?? undefined,
    agentId: params.get('agentId') ?? undefined,
    page: Number.isInteger(page) && page > 0 ? page : 1,
  };
}

const COLS = 'md:grid md:grid-cols-[minmax(0,2fr)_7.5rem_minmax(0,1fr)_minmax(0,1.6fr)_minmax(0,1.2fr)_minmax(0,1fr)_5.5rem_8rem] md:items-center md:gap-3';

const WorkflowRow = memo(function WorkflowRow({ w, names }: { w: Workflow; names: Names }) {
  const ref = useFlash<HTMLLIElement>(w.id);
  const alarm = isAlarming(w.status);
  const agent = names.agent(w.agentId);
  const owner = names.person(w.ownerId);
  return (
    <li
      ref={ref}
      data-testid="workflow-row"
      data-workflow-id={w.id}
      data-status={w.status ?? ''}
      className={`${COLS} space-y-1 border-b border-border border-l-4 px-3 py-2 md:space-y-0 ${alarm ? 'border-l-danger' : 'border-l-transparent'}`}
    >
      <div className="min-w-0">
        <Link
          to={`/workflows/${encodeURIComponent(w.id)}`}
          className="block font-medium text-accent underline-offset-2 wrap-anywhere hover:underline md:truncate"
          title={w.name ?? w.id}
        >
          {w.name ?? w.id}
        </Link>
      </div>
      <Field label="Status">
        <StatusBadge status={w.status} />
      </Field>
      <Field label="Project" title={names.project(w.projectId) ?? undefined}>
        {w.projectId ? (
          <Link to={`/projects/${encodeURIComponent(w.projectId)}`} className="hover:underline">
            {names.project(w.projectId)}
          </Link>
        ) : (
          <span className="text-muted">none</span>
        )}
      </Field>
      <Field label="Story">
        <StoryLink w={w} />
      </Field>
      <Field label="Agent" title={agent ?? undefined}>
        {agent ?? <span className="text-muted">unassigned</span>}
      </Field>
      <Field label="Owner" title={owner ?? undefined}>
        {owner ?? <span className="text-muted">unassigned</span>}
      </Field>
      <Field label="Cost">
        <RunCost cost={w.cost} />
      </Field>
      <Field label="Changed">
        <RelativeTime value={w.lastTransitionAt} />
      </Field>
    </li>
  );
});

export default function WorkflowsPage() {
  const [params] = useSearchParams();
  const filters = filtersFrom(params);
  const names = useNames();
  const list = useQuery({ ...queries.workflows(filters), placeholderData: keepPreviousData });
  const set = useParamSetter();
  const dir = names.directory;
  return (
    <section>
      <PageHeader title="Workflows">
        {list.data && (
          <span className="text-sm text-muted">
            {list.data.total} run{list.data.total === 1 ? '' : 's'}
          </span>
        )}
      </PageHeader>
      <StaleBanner modules={['workflow']} />
      <div className="mb-4 flex flex-wrap items-center gap-3" role="search" aria-label="Filter workflows">
        <StatusFilter value={filters.status} options={STATUS_MODEL.workflow.statuses} onChange={(v) => set({ status: v.join(',') || undefined })} />
        <SelectFilter
          label="Project"
          name="projectId"
          value={filters.projectId}
          onChange={(v) => set({ projectId: v })}
          options={(dir?.projects ?? []).map((p) => ({ id: p.id, label: p.name }))}
        />
        <SelectFilter
          label="Owner"
          name="ownerId"
          value={filters.ownerId}
          onChange={(v) => set({ ownerId: v })}
          options={(dir?.people ?? []).map((p) => ({ id: p.id, label: p.displayName ?? p.email ?? p.id }))}
        />
        <SelectFilter
          label="Agent"
          name="agentId"
          value={filters.agentId}
          onChange={(v) => set({ agentId: v })}
          options={(dir?.agents ?? []).map((a) => ({ id: a.id, label: a.name }))}
        />
      </div>
      {list.isPending ? (
        <Loading what="workflows" />
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <Empty>No workflow runs match these filters.</Empty>
      ) : (
        <div className="overflow-hidden rounded-md border border-border bg-surface">
          <div aria-hidden="true" className={`${COLS} hidden border-b border-border bg-surface-2 px-3 py-2 text-xs font-semibold uppercase text-muted md:grid`}>
            <span>Name</span>
            <span>Status</span>
            <span>Project</span>
            <span>Story</span>
            <span>Agent</span>
            <span>Owner</span>
            <span>Cost</span>
            <span>Last transition</span>
          </div>
          <ul aria-label="Workflow runs" data-testid="workflow-list">
            {list.data.items.map((w) => (
              <WorkflowRow key={w.id} w={w} names={names} />
            ))}
          </ul>
        </div>
      )}
      {list.data && <Pager page={filters.page} pageSize={PAGE_SIZE} total={list.data.total} onPage={(p) => set({ page: String(p) })} />}
    </section>
  );
}
