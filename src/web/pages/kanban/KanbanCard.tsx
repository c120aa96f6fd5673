import { useDraggable } from '@dnd-kit/core';
import { memo, type KeyboardEventHandler, type ReactNode } from 'react';
import { Link } from 'react-router';
import { modelName, type Finding, type Status, type Story } from '../../../contracts/index.js';
import type { Names } from '../../api/use-names.js';
import { describeFindings, FINDING_LABEL } from '../../components/integrity/findings.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { useFlash } from '../../live/flash.js';
import { CostFigures } from '../stories/cost.js';
import { MoveMenu } from './MoveMenu.js';

interface CardProps {
  story: Story;
  names: Names;
  showEpic: boolean;
  onMove?: ((story: Story, to: Status) => void) | undefined;
}

/** A finding on a card is said in words (Drift, Unknown status, Parse error), not by colour alone; the details are in the tooltip and read out. */
function FindingMarker({ findings }: { findings: readonly Finding[] }) {
  const kinds = [...new Set(findings.map((f) => f.kind))];
  const text = describeFindings(findings);
  return (
    <span
      className="inline-flex items-center gap-1 rounded bg-warn-bg px-1.5 py-0.5 font-semibold text-warn"
      title={text}
      data-testid="card-finding"
      data-kinds={kinds.join(' ')}
    >
      <span aria-hidden="true">⚠</span>
      {kinds.map((k) => FINDING_LABEL[k]).join(', ')}
      <span className="sr-only">: {text}</span>
    </span>
  );
}

function CardBody({ story, names, showEpic, onMove, handle }: CardProps & { handle?: ReactNode }) {
  const details = story.details;
  return (
    <>
      {/* The title gets the card's full width; controls sit on their own row so narrow columns never squeeze it. */}
      <p className="break-words text-sm font-medium">
        {/* The title opens the story page; a click (not a drag: the sensors wait for 5 px of movement) follows it. */}
        <Link to={`/stories/${encodeURIComponent(story.id)}`} className="hover:text-accent hover:underline" data-testid="card-link" draggable={false}>
          {story.title ?? story.id}
        </Link>
      </p>
      <div className="mt-1.5 flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-muted">
        {story.findings.length > 0 && <FindingMarker findings={story.findings} />}
        {showEpic && story.epic && <span className="rounded bg-surface-2 px-1.5 py-0.5">{story.epic}</span>}
        {details?.tasksTotal != null && details.tasksTotal > 0 && (
          <span data-testid="card-tasks">
            {details.tasksDone ?? 0}/{details.tasksTotal} tasks
          </span>
        )}
        {details?.agentModel && (
          <span className="min-w-0 wrap-anywhere" title={`Agent model: ${details.agentModel}`} data-testid="card-model" data-model={details.agentModel}>
            <span className="sr-only">Agent model </span>
            {modelName(details.agentModel)}
          </span>
        )}
        <span>{names.person(story.ownerId) ?? 'unassigned'}</span>
        <span className="min-w-0" data-testid="card-cost" data-availability={story.cost?.availability ?? 'unavailable'} title="Cost to date">
          <span className="sr-only">Cost to date </span>
          <span aria-hidden="true">Cost </span>
          <CostFigures cost={story.cost} showUnpriced={false} />
        </span>
        <span>
          in status <RelativeTime value={story.statusSince} />
        </span>
      </div>
      {(handle || onMove) && (
        <div className="mt-1.5 flex items-center justify-end gap-1">
          {handle}
          {onMove && <MoveMenu story={story} onMove={(to) => onMove(story, to)} />}
        </div>
      )}
    </>
  );
}

// Cards below the fold skip style, layout and paint until scrolled to (content-visibility): a 500-card board then
// costs about what its visible part costs.
const cardClass = 'rounded-md border border-border bg-surface p-2.5 shadow-sm [content-visibility:auto] [contain-intrinsic-size:auto_5.5rem]';

/** A read-only card: no drag machinery at all, which keeps a 500-card board cheap. */
export const StaticCard = memo(function StaticCard(props: CardProps) {
  const ref = useFlash<HTMLLIElement>(props.story.id);
  return (
    <li ref={ref} className={cardClass} data-testid="kanban-card" data-story-id={props.story.id}>
      <CardBody {...props} />
    </li>
  );
});

type DragHooks = Pick<ReturnType<typeof useDraggable>, 'attributes' | 'listeners' | 'setNodeRef' | 'setActivatorNodeRef' | 'isDragging'>;

/**
 * The whole card can be dragged with a mouse or a finger, but the keyboard pick-up lives on a small handle button:
 * the card itself is not a button, so its Move button is not nested inside another control.
 *
 * useDraggable reads dnd-kit's context, which changes whenever the board does, so this wrapper re-renders for every
 * card on each live batch. It only hands the hook's (stable) results on: the card itself is memoized on them and on
 * its story, so a batch re-renders the cards it changed, not all 2,000.
 */
export const DraggableCard = memo(function DraggableCard(props: CardProps) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, isDragging } = useDraggable({ id: props.story.id, data: { story: props.story } });
  return (
    <DraggableCardView
      {...props}
      attributes={attributes}
      listeners={listeners}
      setNodeRef={setNodeRef}
      setActivatorNodeRef={setActivatorNodeRef}
      isDragging={isDragging}
    />
  );
});

const DraggableCardView = memo(function DraggableCardView({
  attributes,
  listeners,
  setNodeRef,
  setActivatorNodeRef,
  isDragging,
  ...props
}: CardProps & DragHooks) {
  const { onKeyDown, ...pointerListeners } = listeners ?? {};
  const flashRef = useFlash<HTMLLIElement>(props.story.id);
  const title = props.story.title ?? props.story.id;
  return (
    <li
      ref={(el) => {
        setNodeRef(el);
        flashRef.current = el;
      }}
      {...pointerListeners}
      className={`${cardClass} cursor-grab ${isDragging ? 'opacity-40' : ''}`}
      data-testid="kanban-card"
      data-story-id={props.story.id}
    >
      <CardBody
        {...props}
        handle={
          <button
            type="button"
            ref={setActivatorNodeRef}
            {...attributes}
            onKeyDown={onKeyDown as KeyboardEventHandler | undefined}
            aria-roledescription="draggable card"
            aria-label={`Drag ${title}`}
            className="rounded px-1 text-muted hover:bg-surface-2 hover:text-fg"
          >
            <span aria-hidden="true">⠿</span>
          </button>
        }
      />
    </li>
  );
});

/** What follows the pointer while a card is dragged. */
export function CardPreview({ story, names }: { story: Story; names: Names }) {
  return (
    <div className={`${cardClass} cursor-grabbing shadow-lg ring-2 ring-accent`}>
      <CardBody story={story} names={names} showEpic />
    </div>
  );
}
