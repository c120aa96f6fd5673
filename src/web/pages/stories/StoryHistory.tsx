import type { StatusChange } from '../../../contracts/index.js';
import { StatusChangeItem } from '../../components/history/StatusChangeItem.js';

/** A story's status changes, oldest first: where it moved on BMAD's board, when, by whom, and where that was seen. */
export function StoryHistory({ history, truncated }: { history: readonly StatusChange[]; truncated: boolean }) {
  return (
    <section className="min-w-0 rounded-md border border-border bg-surface p-4" aria-labelledby="story-history" data-testid="story-history">
      <h2 id="story-history" className="mb-3 font-semibold">
        History <span className="text-sm font-normal text-muted">({truncated ? `first ${history.length}` : history.length})</span>
      </h2>
      {history.length === 0 ? (
        <p className="text-sm text-muted">
          No status change recorded for this story yet. When its project is read from git, every change shows here with its commit.
        </p>
      ) : (
        <ol className="ml-1.5 space-y-3 border-l-2 border-border pl-5" data-testid="history-timeline">
          {history.map((c) => (
            <StatusChangeItem key={c.transitionKey} change={c} timeline />
          ))}
        </ol>
      )}
      {truncated && <p className="mt-3 text-xs text-muted">Only the first {history.length} changes are shown.</p>}
    </section>
  );
}
