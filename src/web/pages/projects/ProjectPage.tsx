import { Panel } from '../../components/Panel.js';
import { useQuery } from '@tanstack/react-query';
import type { Story } from '../../../contracts/index.js';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/http.js';
import { queries } from '../../api/queries.js';
import { useNames } from '../../api/use-names.js';
import { ProgressBar } from '../../components/ProgressBar.js';
import { formatExact, RelativeTime } from '../../components/RelativeTime.js';
import { StaleBanner } from '../../components/StaleBanner.js';
import { isAlarming, StatusBadge } from '../../components/StatusBadge.js';
import { Empty, ErrorState, Loading, PageHeader } from '../../components/states.js';
import { FINDING_LABEL, FINDING_TONE, findingLocation } from '../../components/integrity/findings.js';
import { CostFigures, PerDoneStory } from '../stories/cost.js';
import { FlowSection } from './flow/FlowSection.js';
import { ActionItems } from './planning/ActionItems.js';
import { DeferredWork } from './planning/DeferredWork.js';
import { EpicsPanel } from './planning/EpicsPanel.js';
import { ProjectCostPanel } from './ProjectCostPanel.js';
import { Readiness } from './planning/Readiness.js';


/** Consistency findings the sources reported for this project: drift between files, unknown statuses, parse errors. */
function IntegrityPanel({ projectId, stories }: { projectId: string; stories: Story[] }) {
  const integrity = useQuery(queries.integrity(projectId));
  const titles = new Map(stories.map((s) => [s.id, s.title ?? s.id]));
  const findings = integrity.data?.findings ?? [];
  return (
    <section className="mb-4 min-w-0 rounded-md border border-border bg-surface p-4" data-testid="integrity-panel" aria-labelledby="integrity-title">
      <h2 id="integrity-title" className="mb-2 font-semibold">
        Integrity {integrity.data && <span className="text-sm font-normal text-muted">({findings.length})</span>}
      </h2>
      {integrity.isPending ? (
        <p className="text-sm text-muted">Loading consistency findings…</p>
      ) : integrity.error ? (
        <ErrorState error={integrity.error} onRetry={() => void integrity.refetch()} />
      ) : findings.length === 0 ? (
        <p className="text-sm text-muted" data-testid="integrity-empty">
          No consistency findings
          {integrity.data.reportedAt ? (
            <>
              {' '}
              (checked <RelativeTime value={integrity.data.reportedAt} />)
            </>
          ) : (
            ' (no source has reported a check yet)'
          )}
          .
        </p>
      ) : (
        <ul className="divide-y divide-border text-sm" data-testid="integrity-findings">
          {findings.map((f, i) => {
            const where = findingLocation(f);
            return (
              <li key={`${f.kind}:${f.storyId ?? ''}:${where ?? ''}:${i}`} className="flex flex-col gap-1 py-2" data-testid="integrity-finding" data-kind={f.kind}>
                <div className="flex flex-wrap items-center gap-2">
                  <span className={`rounded px-1.5 py-0.5 text-xs font-semibold ${FINDING_TONE[f.kind]}`}>
                    <span aria-hidden="true">⚠ </span>
                    {FINDING_LABEL[f.kind]}
                  </span>
                  {f.storyId && (
                    <span className="min-w-0 break-words">
                      <span className="text-muted">Story </span>
                      {titles.get(f.storyId) ?? f.storyId}
                    </span>
                  )}
                  {where && <code className="min-w-0 break-all text-xs text-muted">{where}</code>}
                </div>
                <p className="break-words">{f.message}</p>
                {(f.expected !== null || f.actual !== null) && (
                  <p className="text-xs">
                    <span className="text-muted">Expected</span> <code>{f.expected ?? '—'}</code> <span className="text-muted">· found</span> <code>{f.actual ?? '—'}</code>
                  </p>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

export default function ProjectPage() {
  const { id = '' } = useParams();
  const names = useNames();
  const ctx = useQuery(queries.projectContext(id));
  if (ctx.isPending) return <Loading what="the project" />;
  if (ctx.error) {
    if (ctx.error instanceof ApiError && ctx.error.status === 404) {
      return (
        <section>
          <PageHeader title="Project not found" />
          <Link to="/projects" className="text-accent underline">
            Back to projects
          </Link>
        </section>
      );
    }
    return <ErrorState error={ctx.error} onRetry={() => void ctx.refetch()} />;
  }
  const { project: p, stories, workflows, documents, epics, truncated } = ctx.data;
  const details = p.details;
  return (
    <section>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link to="/projects" className="text-accent underline">
          Projects
        </Link>{' '}
        / <span className="text-muted">{p.name}</span>
      </nav>
      <PageHeader title={p.name}>
        <div className="flex flex-wrap items-center gap-2">
          <StatusBadge status={p.status} />
          {details?.version && (
            <span className="rounded bg-surface-2 px-2 py-0.5 text-xs" title={details.layout ? `Layout: ${details.layout}` : undefined} data-testid="project-bmad-version">
              BMAD {details.version}
            </span>
          )}
          {p.overdue && <span className="rounded bg-danger-bg px-2 py-0.5 text-xs font-semibold text-danger">⚠ Overdue</span>}
          {p.riskFlag && <span className="rounded bg-warn-bg px-2 py-0.5 text-xs font-semibold text-warn">⚑ At risk</span>}
          <Link to={`/kanban?projectId=${encodeURIComponent(p.id)}`} className="rounded border border-border px-3 py-1 text-sm hover:bg-surface-2">
            Open board
          </Link>
        </div>
      </PageHeader>
      <StaleBanner modules={['project', 'story', 'workflow']} />
      <div className="mb-4 grid gap-3 rounded-md border border-border bg-surface p-4 text-sm sm:grid-cols-3 lg:grid-cols-5">
        <div>
          <div className="text-xs uppercase text-muted">Progress</div>
          <ProgressBar pct={p.progressPct} />
        </div>
        <div>
          <div className="text-xs uppercase text-muted">Owner</div>
          {names.person(p.ownerId) ?? 'unassigned'}
        </div>
        <div>
          <div className="text-xs uppercase text-muted">Due</div>
          {p.dueAt ? <time dateTime={p.dueAt}>{formatExact(p.dueAt)}</time> : 'no due date'}
        </div>
        <div className="min-w-0" data-testid="project-cost" data-availability={p.cost?.availability ?? 'unavailable'}>
          <div className="text-xs uppercase text-muted">Cost to date</div>
          <CostFigures cost={p.cost} />
        </div>
        <div className="min-w-0" data-testid="project-cost-per-story" data-availability={p.costPerDoneStory?.availability ?? 'unavailable'}>
          <div className="text-xs uppercase text-muted">Per done story{p.doneStories ? ` (${p.doneStories} done)` : ''}</div>
          <PerDoneStory value={p.costPerDoneStory} />
        </div>
      </div>
      <IntegrityPanel projectId={p.id} stories={stories} />
      <div className="mb-4 grid gap-4 lg:grid-cols-3">
        <div className="min-w-0 lg:col-span-2 [&>section]:h-full">
          <EpicsPanel epics={epics} documents={documents} />
        </div>
        <Readiness readiness={details?.readiness ?? null} documents={documents} />
        <div className="min-w-0 lg:col-span-2 [&>section]:h-full">
          <ActionItems items={details?.actionItems ?? []} documents={documents} />
        </div>
        <DeferredWork items={details?.deferredWork ?? []} />
      </div>
      <FlowSection projectId={p.id} />
      <div className="mb-4">
        <ProjectCostPanel projectId={p.id} />
      </div>
      <div className="grid gap-4 lg:grid-cols-3">
        <Panel title="Stories" count={stories.length} truncated={truncated.stories}>
          {stories.length === 0 ? (
            <Empty>No stories yet.</Empty>
          ) : (
            <ul className="divide-y divide-border text-sm" data-testid="project-stories">
              {stories.map((s) => {
                const docs = documents.filter((d) => d.storyId === s.id).length;
                return (
                  <li key={s.id} className="flex items-center justify-between gap-2 py-1.5">
                    <Link to={`/stories/${encodeURIComponent(s.id)}`} className="min-w-0 truncate text-accent hover:underline" title={s.title ?? s.id}>
                      {s.title ?? s.id}
                    </Link>
                    <span className="flex shrink-0 items-center gap-2">
                      {s.cost?.availability === 'available' && (
                        <span className="text-xs text-muted" data-testid="project-story-cost">
                          <span className="sr-only">cost </span>
                          <CostFigures cost={s.cost} showUnpriced={false} />
                        </span>
                      )}
                      {docs > 0 && (
                        <Link to={`/documents?storyId=${encodeURIComponent(s.id)}`} className="text-xs text-accent hover:underline">
                          {docs === 1 ? '1 doc' : `${docs} docs`}
                          <span className="sr-only"> of {s.title ?? s.id}</span>
                        </Link>
                      )}
                      <StatusBadge status={s.status} />
                    </span>
                  </li>
                );
              })}
            </ul>
          )}
        </Panel>
        <Panel title="Workflows" count={workflows.length} truncated={truncated.workflows}>
          {workflows.length === 0 ? (
            <Empty>No workflow runs yet.</Empty>
          ) : (
            <ul className="divide-y divide-border text-sm">
              {workflows.map((w) => (
                <li key={w.id} className={`flex items-center justify-between gap-2 py-1.5 ${isAlarming(w.status) ? 'font-medium' : ''}`}>
                  <Link to={`/workflows/${encodeURIComponent(w.id)}`} className="min-w-0 truncate text-accent hover:underline" title={w.name ?? w.id}>
                    {w.name ?? w.id}
                  </Link>
                  <span className="flex shrink-0 items-center gap-2">
                    <span className="hidden text-xs text-muted sm:inline">
                      <RelativeTime value={w.lastTransitionAt} />
                    </span>
                    <StatusBadge status={w.status} />
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Panel>
        <Panel title="Documents" count={documents.length} truncated={truncated.documents}>
          {documents.length > 0 && (
            <Link to={`/documents?projectId=${encodeURIComponent(p.id)}`} className="mb-2 inline-block text-sm text-accent underline">
              All documents of this project
            </Link>
          )}
          {documents.length === 0 ? (
            <Empty>No documents yet. The BMAD connector will list PRDs, architectures and stories here.</Empty>
          ) : (
            <ul className="divide-y divide-border text-sm">
              {documents.map((d) => (
                <li key={d.id} className="flex items-center justify-between gap-2 py-1.5">
                  <Link to={`/documents/${encodeURIComponent(d.id)}`} className="min-w-0 truncate text-accent hover:underline" data-testid="project-document" title={d.title}>
                    {d.title}
                  </Link>
                  <span className="shrink-0 text-xs text-muted">
                    <RelativeTime value={d.updatedAt ?? d.createdAt} />
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Panel>
      </div>
    </section>
  );
}
