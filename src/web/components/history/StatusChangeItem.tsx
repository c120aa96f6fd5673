import { Link } from 'react-router';
import type { StatusChange } from '../../../contracts/index.js';
import { useNames } from '../../api/use-names.js';
import { RelativeTime } from '../RelativeTime.js';
import { statusLabel, StatusBadge } from '../StatusBadge.js';
import { SeenIn } from './CommitRef.js';

/** The place on the board a change left or reached: BMAD's own column, or the canonical status when the source has no columns. */
const place = (column: string | null, status: StatusChange['toStatus'] | null) => column ?? (status ? statusLabel(status) : null);

/**
 * One status change: from → to in the source's own columns (the canonical status as a badge), when (relative, exact
 * on hover), who (by name), and where it was seen (a commit with its subject, the working tree, the dashboard).
 * `timeline` draws it as a dot on a vertical line (an <ol> with a left border); `story` names the story it moved.
 */
export function StatusChangeItem({
  change: c,
  timeline = false,
  story,
}: {
  change: StatusChange;
  timeline?: boolean;
  story?: { id: string; title: string | null };
}) {
  const names = useNames();
  const from = place(c.fromColumn, c.fromStatus);
  const to = place(c.toColumn, c.toStatus);
  return (
    <li
      className={`relative min-w-0 ${timeline ? '' : 'border-b border-border py-2 last:border-b-0'}`}
      data-testid="status-change"
      data-story-id={story?.id}
      data-from={c.fromColumn ?? ''}
      data-to={c.toColumn ?? ''}
      data-to-status={c.toStatus}
      data-commit={c.commit?.hash ?? ''}
      data-event-id={c.eventId}
    >
      {timeline && <span className="absolute -left-[1.72rem] top-1.5 h-3 w-3 rounded-full border-2 border-surface bg-accent" aria-hidden="true" />}
      {story && (
        <Link
          to={`/stories/${encodeURIComponent(story.id)}`}
          className="block break-words font-medium text-accent hover:underline"
          data-testid="status-change-story"
        >
          {story.title ?? 'untitled story'}
        </Link>
      )}
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm">
        <span className={`min-w-0 break-words ${story ? '' : 'font-medium'}`} data-testid="status-change-move">
          {from ? <span data-testid="status-change-from">{from}</span> : <span className="font-normal text-muted">start</span>}{' '}
          <span aria-hidden="true">→</span>
          <span className="sr-only">to</span> <span data-testid="status-change-to">{to}</span>
        </span>
        <StatusBadge status={c.toStatus} />
      </div>
      <p className="mt-0.5 flex min-w-0 flex-wrap items-baseline gap-x-2 gap-y-0.5 text-xs">
        <span className="text-muted">
          <RelativeTime value={c.occurredAt} />
        </span>
        <span className="min-w-0 break-words" data-testid="status-change-who">
          <span className="text-muted">by</span> {names.who(c.actorId) ?? 'unknown'}
        </span>
        <SeenIn seenIn={c.seenIn} commit={c.commit} />
      </p>
      {c.reason && (
        <p className="mt-0.5 break-words text-xs">
          <span className="text-muted">why:</span> {c.reason}
        </p>
      )}
    </li>
  );
}
