import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { memo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { STATUS_MODEL, type Project } from '../../../contracts/index.js';
import { PAGE_SIZE, queries } from '../../api/queries.js';
import type { ProjectFilters } from '../../api/query-params.js';
import { useNames, type Names } from '../../api/use-names.js';
import { Pager, readStatuses, SelectFilter, StatusFilter, useParamSetter } from '../../components/filters.js';
import { ProgressBar } from '../../components/ProgressBar.js';
import { formatExact, RelativeTime } from '../../components/RelativeTime.js';
import { StaleBanner } from '../../components/StaleBanner.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { Empty, ErrorState, Loading, PageHeader } from '../../components/states.js';
import { useFlash } from '../../live/flash.js';
import { CostFigures, PerDoneStory } from '../stories/cost.js';

const flag = (v: string | null) => (v === 'true' ? true : v === 'false' ? false : undefined);

function filtersFrom(params: URLSearchParams): ProjectFilters {
  const page = Number(params.get('page') ?? '1');
  return {
    status: readStatuses(params, STATUS_MODEL.project.statuses),
    ownerId: params.get('ownerId') ?? undefined,
    riskFlag: flag(params.get('riskFlag')),
    overdue: flag(params.get('overdue')),
    page: Number.isInteger(page) && page > 0 ? page : 1,
  };
}

const ProjectCard = memo(function ProjectCard({ p, names }: { p: Project; names: Names }) {
  const ref = useFlash<HTMLLIElement>(p.id);
  return (
    <li
      ref={ref}
      data-testid="project-card"
      data-project-id={p.id}
      className={`flex flex-col gap-3 rounded-md border bg-surface p-4 ${p.overdue || p.riskFlag ? 'border-danger' : 'border-border'}`}
    >
      <div className="flex items-start justify-between gap-2">
        <Link to={`/projects/${encodeURIComponent(p.id)}`} className="min-w-0 break-words font-semibold text-accent hover:underline">
          {p.name}
        </Link>
        <StatusBadge status={p.status} />
      </div>
      <ProgressBar pct={p.progressPct} />
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
        <dt className="text-muted">Owner</dt>
        <dd className="truncate" title={names.person(p.ownerId) ?? undefined}>
          {names.person(p.ownerId) ?? 'unassigned'}
        </dd>
        <dt className="text-muted">Due</dt>
        <dd>
          {p.dueAt ? (
            <time dateTime={p.dueAt} title={formatExact(p.dueAt)}>
              {new Date(p.dueAt).toLocaleDateString()}
            </time>
          ) : (
            <span className="text-muted">no due date</span>
          )}
        </dd>
        <dt className="text-muted">Cost to date</dt>
        <dd className="min-w-0" data-testid="project-cost" data-availability={p.cost?.availability ?? 'unavailable'}>
          <CostFigures cost={p.cost} showUnpriced={false} />
        </dd>
        <dt className="text-muted">Per done story</dt>
        <dd className="min-w-0" data-testid="project-cost-per-story" data-availability={p.costPerDoneStory?.availability ?? 'unavailable'}>
          <PerDoneStory value={p.costPerDoneStory} />
          {p.doneStories !== undefined && p.doneStories > 0 && <span className="text-xs text-muted"> ({p.doneStories} done)</span>}
        </dd>
        <dt className="text-muted">Updated</dt>
        <dd>
          <RelativeTime value={p.updatedAt} />
        </dd>
      </dl>
      {(p.overdue || p.riskFlag) && (
        <div className="flex flex-wrap gap-2 text-xs font-semibold">
          {p.overdue && <span className="rounded bg-danger-bg px-2 py-0.5 text-danger">⚠ Overdue</span>}
          {p.riskFlag && <span className="rounded bg-warn-bg px-2 py-0.5 text-warn">⚑ At risk</span>}
        </div>
      )}
      <Link to={`/kanban?projectId=${encodeURIComponent(p.id)}`} className="mt-auto text-sm text-accent hover:underline">
        Open board
      </Link>
    </li>
  );
});

export default function ProjectsPage() {
  const [params] = useSearchParams();
  const filters = filtersFrom(params);
  const names = useNames();
  const list = useQuery({ ...queries.projects(filters), placeholderData: keepPreviousData });
  const set = useParamSetter();
  return (
    <section>
      <PageHeader title="Projects">
        {list.data && (
          <span className="text-sm text-muted">
            {list.data.total} project{list.data.total === 1 ? '' : 's'}
          </span>
        )}
      </PageHeader>
      <StaleBanner modules={['project']} />
      <div className="mb-4 flex flex-wrap items-center gap-3" role="search" aria-label="Filter projects">
        <StatusFilter value={filters.status} options={STATUS_MODEL.project.statuses} onChange={(v) => set({ status: v.join(',') || undefined })} />
        <SelectFilter
          label="Owner"
          name="ownerId"
          value={filters.ownerId}
          onChange={(v) => set({ ownerId: v })}
          options={(names.directory?.people ?? []).map((p) => ({ id: p.id, label: p.displayName ?? p.email ?? p.id }))}
        />
        <SelectFilter
          label="Risk"
          name="riskFlag"
          value={params.get('riskFlag') ?? undefined}
          onChange={(v) => set({ riskFlag: v })}
          options={[
            { id: 'true', label: 'At risk' },
            { id: 'false', label: 'Not at risk' },
          ]}
        />
        <SelectFilter
          label="Due"
          name="overdue"
          value={params.get('overdue') ?? undefined}
          onChange={(v) => set({ overdue: v })}
          options={[
            { id: 'true', label: 'Overdue' },
            { id: 'false', label: 'On time' },
          ]}
        />
      </div>
      {list.isPending ? (
        <Loading what="projects" />
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <Empty>No projects match these filters.</Empty>
      ) : (
        <ul className="grid gap-3 sm:grid-cols-2 xl:grid-cols-3" aria-label="Projects">
          {list.data.items.map((p) => (
            <ProjectCard key={p.id} p={p} names={names} />
          ))}
        </ul>
      )}
      {list.data && <Pager page={filters.page} pageSize={PAGE_SIZE} total={list.data.total} onPage={(p) => set({ page: String(p) })} />}
    </section>
  );
}
