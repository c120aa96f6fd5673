import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/http.js';
import { useNames } from '../../api/use-names.js';
import { StaleBanner } from '../../components/StaleBanner.js';
import { ErrorState, Loading, PageHeader } from '../../components/states.js';
import { useFlash } from '../../live/flash.js';
import { storyQuery } from './story-query.js';
import { StoryHistory } from './StoryHistory.js';
import { StoryRecords } from './StoryRecords.js';
import { StoryReview } from './StoryReview.js';
import { StoryRuns } from './StoryRuns.js';
import { StoryCost, StoryDetails, StoryDocuments, StoryFindings, StoryHeader } from './StorySections.js';

/**
 * One story and what ties to it: its status history (from git when its project is read from there), the records of its
 * status, its review, its runs, what it cost (by agent and model), its documents and findings.
 */
export default function StoryPage() {
  const { id = '' } = useParams();
  const names = useNames();
  const detail = useQuery(storyQuery(id));
  const costRef = useFlash<HTMLDivElement>(id);
  if (detail.isPending) return <Loading what="the story" />;
  if (detail.error) {
    if (detail.error instanceof ApiError && detail.error.status === 404) {
      return (
        <section>
          <PageHeader title="Story not found" />
          <p className="text-muted">
            No story has the id <code>{id}</code>.{' '}
            <Link to="/kanban" className="text-accent underline">
              Back to the board
            </Link>
          </p>
        </section>
      );
    }
    return <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />;
  }
  const { story: s, workflows, documents, costByAgentModel, history, truncated } = detail.data;
  const d = s.details;
  return (
    <section>
      <StoryHeader s={s} names={names} />
      <StaleBanner modules={['story', 'cost', 'workflow', 'document']} />
      <StoryDetails s={s} names={names} />

      <div className="mb-4 grid gap-4 lg:grid-cols-3">
        <div className="min-w-0 lg:col-span-2 [&>section]:h-full">
          <StoryHistory history={history} truncated={truncated.history} />
        </div>
        <div className="flex min-w-0 flex-col gap-4">
          <StoryRecords records={d?.records ?? null} />
          <StoryReview details={d} />
        </div>
      </div>

      <StoryCost s={s} costByAgentModel={costByAgentModel} names={names} flashRef={costRef} />

      <div className="grid gap-4 lg:grid-cols-3">
        <StoryRuns workflows={workflows} truncated={truncated.workflows} />
        <StoryDocuments documents={documents} truncated={truncated.documents} />
        <StoryFindings s={s} />
      </div>
    </section>
  );
}
