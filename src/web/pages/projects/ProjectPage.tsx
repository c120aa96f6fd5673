import { useQuery } from '@tanstack/react-query';
import type { Story } from '../../../contracts/index.js';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/http.js';
import { queries } from '../../api/queries.js';
import { useNames } from '../../api/use-names.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { StaleBanner } from '../../components/StaleBanner.js';
import { ErrorState, Loading, PageHeader } from '../../components/states.js';
import { FINDING_LABEL, FINDING_TONE, findingLocation } from '../../components/integrity/findings.js';
import { FlowSection } from './flow/FlowSection.js';
import { ActionItems } from './planning/ActionItems.js';
import { DeferredWork } from './planning/DeferredWork.js';
import { EpicsPanel } from './planning/EpicsPanel.js';
import { ProjectCostPanel } from './ProjectCostPanel.js';
import { DocumentsPanel, ProjectFacts, ProjectHeader, StoriesPanel, WorkflowsPanel } from './ProjectSections.js';
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
              <li
                key={`${f.kind}:${f.storyId ?? ''}:${where ?? ''}:${i}`}
                className="flex flex-col gap-1 py-2"
                data-testid="integrity-finding"
                data-kind={f.kind}
              >
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
                    <span className="text-muted">Expected</span> <code>{f.expected ?? '—'}</code> <span className="text-muted">· found</span>{' '}
                    <code>{f.actual ?? '—'}</code>
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
      <ProjectHeader p={p} />
      <StaleBanner modules={['project', 'story', 'workflow']} />
      <ProjectFacts p={p} names={names} />
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
        <StoriesPanel stories={stories} documents={documents} truncated={truncated.stories} />
        <WorkflowsPanel workflows={workflows} truncated={truncated.workflows} />
        <DocumentsPanel projectId={p.id} documents={documents} truncated={truncated.documents} />
      </div>
    </section>
  );
}
