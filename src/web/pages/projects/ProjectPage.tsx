import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/http.js';
import { queries } from '../../api/queries.js';
import { useNames } from '../../api/use-names.js';
import { ProgressBar } from '../../components/ProgressBar.js';
import { formatExact, RelativeTime } from '../../components/RelativeTime.js';
import { StaleBanner } from '../../components/StaleBanner.js';
import { isAlarming, StatusBadge } from '../../components/StatusBadge.js';
import { Empty, ErrorState, Loading, PageHeader } from '../../components/states.js';

function Section({ title, count, truncated, children }: { title: string; count: number; truncated: boolean; children: ReactNode }) {
  return (
    <section className="min-w-0 rounded-md border border-border bg-surface p-4">
      <h2 className="mb-3 font-semibold">
        {title} <span className="text-sm font-normal text-muted">({truncated ? `first ${count}` : count})</span>
      </h2>
      {children}
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
  const { project: p, stories, workflows, documents, truncated } = ctx.data;
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
          {p.overdue && <span className="rounded bg-danger-bg px-2 py-0.5 text-xs font-semibold text-danger">⚠ Overdue</span>}
          {p.riskFlag && <span className="rounded bg-warn-bg px-2 py-0.5 text-xs font-semibold text-warn">⚑ At risk</span>}
          <Link to={`/kanban?projectId=${encodeURIComponent(p.id)}`} className="rounded border border-border px-3 py-1 text-sm hover:bg-surface-2">
            Open board
          </Link>
        </div>
      </PageHeader>
      <StaleBanner modules={['project', 'story', 'workflow']} />
      <div className="mb-4 grid gap-3 rounded-md border border-border bg-surface p-4 text-sm sm:grid-cols-3">
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
      </div>
      <div className="grid gap-4 lg:grid-cols-3">
        <Section title="Stories" count={stories.length} truncated={truncated.stories}>
          {stories.length === 0 ? (
            <Empty>No stories yet.</Empty>
          ) : (
            <ul className="divide-y divide-border text-sm" data-testid="project-stories">
              {stories.map((s) => (
                <li key={s.id} className="flex items-center justify-between gap-2 py-1.5">
                  <span className="min-w-0 truncate">{s.title ?? s.id}</span>
                  <StatusBadge status={s.status} />
                </li>
              ))}
            </ul>
          )}
        </Section>
        <Section title="Workflows" count={workflows.length} truncated={truncated.workflows}>
          {workflows.length === 0 ? (
            <Empty>No workflow runs yet.</Empty>
          ) : (
            <ul className="divide-y divide-border text-sm">
              {workflows.map((w) => (
                <li key={w.id} className={`flex items-center justify-between gap-2 py-1.5 ${isAlarming(w.status) ? 'font-medium' : ''}`}>
                  <Link to={`/workflows/${encodeURIComponent(w.id)}`} className="min-w-0 truncate text-accent hover:underline">
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
        </Section>
        <Section title="Documents" count={documents.length} truncated={truncated.documents}>
          {documents.length === 0 ? (
            <Empty>No documents yet. The BMAD connector will list PRDs, architectures and stories here.</Empty>
          ) : (
            <ul className="divide-y divide-border text-sm">
              {documents.map((d) => (
                <li key={d.id} className="flex items-center justify-between gap-2 py-1.5">
                  <span className="min-w-0 truncate">{d.title}</span>
                  <span className="shrink-0 text-xs text-muted">
                    <RelativeTime value={d.createdAt} />
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Section>
      </div>
    </section>
  );
}
