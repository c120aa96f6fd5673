import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/http.js';
import { queries } from '../../api/queries.js';
import { useNames } from '../../api/use-names.js';
import { StaleBanner } from '../../components/StaleBanner.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { ErrorState, Loading, PageHeader } from '../../components/states.js';
import { useFlash } from '../../live/flash.js';
import { RunSessions, TransitionTimeline, WorkflowFacts } from './WorkflowSections.js';

export default function WorkflowDetailPage() {
  const { id = '' } = useParams();
  const names = useNames();
  const workflow = useQuery(queries.workflow(id));
  const transitions = useQuery(queries.transitions(id));
  const ref = useFlash<HTMLDivElement>(id);
  if (workflow.isPending) return <Loading what="the workflow" />;
  if (workflow.error) {
    if (workflow.error instanceof ApiError && workflow.error.status === 404) {
      return (
        <section>
          <PageHeader title="Workflow not found" />
          <p className="text-muted">
            No workflow has the id <code>{id}</code>.{' '}
            <Link to="/workflows" className="text-accent underline">
              Back to workflows
            </Link>
          </p>
        </section>
      );
    }
    return <ErrorState error={workflow.error} onRetry={() => void workflow.refetch()} />;
  }
  const w = workflow.data;
  return (
    <section>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link to="/workflows" className="text-accent underline">
          Workflows
        </Link>{' '}
        / <span className="text-muted">{w.name ?? w.id}</span>
      </nav>
      <PageHeader title={w.name ?? w.id}>
        <StatusBadge status={w.status} />
      </PageHeader>
      <StaleBanner modules={['workflow']} />
      <WorkflowFacts w={w} names={names} flashRef={ref} />
      {w.sessions.length > 0 && <RunSessions sessions={w.sessions} />}
      <TransitionTimeline transitions={transitions} names={names} />
    </section>
  );
}
