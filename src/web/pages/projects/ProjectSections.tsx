import { Link } from 'react-router';
import type { ProjectContext } from '../../api/queries.js';
import type { Names } from '../../api/use-names.js';
import { Panel } from '../../components/Panel.js';
import { ProgressBar } from '../../components/ProgressBar.js';
import { formatExact, RelativeTime } from '../../components/RelativeTime.js';
import { isAlarming, StatusBadge } from '../../components/StatusBadge.js';
import { Empty, PageHeader } from '../../components/states.js';
import { CostFigures, PerDoneStory } from '../stories/cost.js';

type Project = ProjectContext['project'];

/** The breadcrumb and the page header: the project's name, status, BMAD version, flags, and the way to its board. */
export function ProjectHeader({ p }: { p: Project }) {
  const details = p.details;
  return (
    <>
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
            <span
              className="rounded bg-surface-2 px-2 py-0.5 text-xs"
              title={details.layout ? `Layout: ${details.layout}` : undefined}
              data-testid="project-bmad-version"
            >
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
    </>
  );
}

/** The project's key figures: progress, owner, due date, cost to date and per done story. */
export function ProjectFacts({ p, names }: { p: Project; names: Names }) {
  return (
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
  );
}

/** The project's stories, with their cost, their documents and their status. */
export function StoriesPanel({
  stories,
  documents,
  truncated,
}: {
  stories: ProjectContext['stories'];
  documents: ProjectContext['documents'];
  truncated: boolean;
}) {
  return (
    <Panel title="Stories" count={stories.length} truncated={truncated}>
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
  );
}

/** The project's workflow runs, alarming ones in bold. */
export function WorkflowsPanel({ workflows, truncated }: { workflows: ProjectContext['workflows']; truncated: boolean }) {
  return (
    <Panel title="Workflows" count={workflows.length} truncated={truncated}>
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
  );
}

/** The project's documents, newest change first as the server sends them. */
export function DocumentsPanel({ projectId, documents, truncated }: { projectId: string; documents: ProjectContext['documents']; truncated: boolean }) {
  return (
    <Panel title="Documents" count={documents.length} truncated={truncated}>
      {documents.length > 0 && (
        <Link to={`/documents?projectId=${encodeURIComponent(projectId)}`} className="mb-2 inline-block text-sm text-accent underline">
          All documents of this project
        </Link>
      )}
      {documents.length === 0 ? (
        <Empty>No documents yet. The BMAD connector will list PRDs, architectures and stories here.</Empty>
      ) : (
        <ul className="divide-y divide-border text-sm">
          {documents.map((d) => (
            <li key={d.id} className="flex items-center justify-between gap-2 py-1.5">
              <Link
                to={`/documents/${encodeURIComponent(d.id)}`}
                className="min-w-0 truncate text-accent hover:underline"
                data-testid="project-document"
                title={d.title}
              >
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
  );
}
