import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  MouseSensor,
  pointerWithin,
  rectIntersection,
  TouchSensor,
  useDroppable,
  useSensor,
  useSensors,
  type CollisionDetection,
  type DragEndEvent,
  type DragStartEvent,
} from '@dnd-kit/core';
import { memo, useCallback, useMemo, useState } from 'react';
import { isTransitionAllowed, type KanbanBoard, type Status, type Story } from '../../../contracts/index.js';
import type { Names } from '../../api/use-names.js';
import { statusLabel } from '../../components/StatusBadge.js';
import { toast } from '../../components/toasts.js';
import { Empty } from '../../components/states.js';
import { columnJump } from './column-keyboard.js';
import { CardPreview, DraggableCard, StaticCard } from './KanbanCard.js';
import { useHideEmptyColumns } from './use-hide-empty.js';
import { useProgressiveCards } from './use-progressive-cards.js';

type Column = KanbanBoard['columns'][number];

/** A custom (upstream) column has no status of its own; its cards tell which lifecycle stage it belongs to. */
export function stageOf(c: Column): Status | null {
  if (c.status) return c.status;
  const statuses = new Set(c.cards.map((s) => s.status));
  return statuses.size === 1 ? ([...statuses][0] ?? null) : null;
}

/**
 * Upstream boards (BMAD's sprint-status) name their own columns: "ready-for-dev", "in-progress", "review". An empty
 * canonical column whose stage those columns already show would only repeat it ("In progress" twice), so it is hidden.
 */
export function visibleColumns(columns: readonly Column[]): Column[] {
  const shownByCustom = new Set(columns.filter((c) => c.status === null).map(stageOf));
  return columns.filter((c) => !(c.status !== null && c.count === 0 && shownByCustom.has(c.status)));
}

/** A column as its header names it: the status, or the upstream column's own name. */
const columnLabel = (c: Column) => (c.status ? statusLabel(c.status) : c.key);

/** Cards under epic headings when the project uses epics; cards without one come last. */
function groupByEpic(cards: readonly Story[]): [string | null, Story[]][] {
  const groups = new Map<string | null, Story[]>();
  for (const c of cards) {
    const group = groups.get(c.epic);
    if (group) group.push(c);
    else groups.set(c.epic, [c]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)));
}

interface ColumnProps {
  column: Column;
  names: Names;
  byEpic: boolean;
  editable: boolean;
  dragging: Story | null;
  onMove: (story: Story, to: Status) => void;
  /** How many of its cards the column renders yet (see useProgressiveCards). */
  limit: number;
}

const BoardColumn = memo(function BoardColumn({ column, names, byEpic, editable, dragging, onMove, limit }: ColumnProps) {
  // Only status columns take drops: a move is a status change; custom columns (e.g. "review") follow from it.
  const stage = stageOf(column);
  // A drop is a status change; on a custom column it means that column's stage (the card then shows under its status).
  const { setNodeRef, isOver } = useDroppable({ id: column.key, disabled: !editable || stage === null, data: { status: stage } });
  const allowed = dragging && stage && dragging.status ? isTransitionAllowed('story', dragging.status, stage) : false;
  const Card = editable ? DraggableCard : StaticCard;
  const titleId = `col-${column.key}`;
  const cards = column.cards.length > limit ? column.cards.slice(0, limit) : column.cards;
  const notYet = column.cards.length - cards.length;
  return (
    <section
      ref={setNodeRef}
      aria-labelledby={titleId}
      data-testid="kanban-column"
      data-column={column.key}
      data-status={column.status ?? ''}
      className={`flex min-h-40 min-w-0 flex-col rounded-md border bg-surface-2 ${isOver && allowed ? 'border-accent ring-2 ring-accent' : 'border-border'} ${dragging && !allowed && dragging.status !== stage ? 'opacity-60' : ''}`}
    >
      <h2 id={titleId} className="flex items-center justify-between gap-2 border-b border-border px-3 py-2 text-sm font-semibold">
        {column.status ? (
          <span className="truncate" title={statusLabel(column.status)}>
            {statusLabel(column.status)}
          </span>
        ) : (
          <span className="min-w-0" title={stage ? `Upstream column "${column.key}" (status: ${statusLabel(stage)})` : `Upstream column "${column.key}"`}>
            <span className="block truncate">{column.key}</span>
            {stage && <span className="block truncate text-xs font-normal text-muted">{statusLabel(stage)}</span>}
          </span>
        )}
        <span className="rounded-full bg-surface px-2 text-xs tabular-nums" data-testid="column-count" aria-label={`${column.count} cards`}>
          {column.count}
        </span>
      </h2>
      <div className="flex-1 space-y-2 overflow-y-auto p-2">
        {byEpic ? (
          groupByEpic(cards).map(([epic, cards]) => (
            <div key={epic ?? '\u0000'}>
              <h3 className="mb-1 px-1 text-xs font-semibold uppercase text-muted wrap-anywhere">{epic ?? 'No epic'}</h3>
              <ul className="space-y-2">
                {cards.map((s) => (
                  <Card key={s.id} story={s} names={names} showEpic={false} onMove={editable ? onMove : undefined} />
                ))}
              </ul>
            </div>
          ))
        ) : (
          <ul className="space-y-2">
            {cards.map((s) => (
              <Card key={s.id} story={s} names={names} showEpic onMove={editable ? onMove : undefined} />
            ))}
          </ul>
        )}
        {notYet > 0 && (
          <p className="px-1 text-xs text-muted" data-testid="column-more">
            {notYet} more {notYet === 1 ? 'card' : 'cards'} loading…
          </p>
        )}
      </div>
    </section>
  );
});

// Stable props for DndContext: a new object on every board update would re-render every draggable card.
const ACCESSIBILITY = {
  screenReaderInstructions: {
    draggable: 'Press Space to pick up the card, Left and Right arrows to choose a column, Space to drop, Escape to cancel. Or use its Move button.',
  },
};

// Sensor options as constants too: useSensor memoizes on the options object, and new sensors mean new activators,
// new listeners from every useDraggable, and so a render of every card on each board update.
const MOUSE = { activationConstraint: { distance: 5 } };
// A delay lets a finger scroll the board; holding a card picks it up.
const TOUCH = { activationConstraint: { delay: 250, tolerance: 6 } };
const KEYBOARD = { coordinateGetter: columnJump };

const collisions: CollisionDetection = (args) => {
  const within = pointerWithin(args);
  return within.length > 0 ? within : rectIntersection(args);
};

export function Board({ board, names, editable, onMove }: { board: KanbanBoard; names: Names; editable: boolean; onMove: (story: Story, to: Status) => void }) {
  const [dragging, setDragging] = useState<Story | null>(null);
  const sensors = useSensors(useSensor(MouseSensor, MOUSE), useSensor(TouchSensor, TOUCH), useSensor(KeyboardSensor, KEYBOARD));
  const byEpic = useMemo(() => board.columns.some((c) => c.cards.some((s) => s.epic !== null)), [board]);
  const onDragStart = useCallback((e: DragStartEvent) => setDragging((e.active.data.current?.story as Story | undefined) ?? null), []);
  const onDragCancel = useCallback(() => setDragging(null), []);
  const onDragEnd = useCallback(
    (e: DragEndEvent) => {
      setDragging(null);
      const story = e.active.data.current?.story as Story | undefined;
      const to = e.over?.data.current?.status as Status | null | undefined;
      if (!story || !to || to === story.status) return;
      if (story.status && !isTransitionAllowed('story', story.status, to)) {
        toast(`A story cannot move from ${statusLabel(story.status)} to ${statusLabel(to)}.`, 'error');
        return;
      }
      onMove(story, to);
    },
    [onMove],
  );
  const [hideEmpty, setHideEmpty] = useHideEmptyColumns();
  const visible = useMemo(() => visibleColumns(board.columns), [board]);
  const empty = visible.filter((c) => c.count === 0);
  const shown = hideEmpty ? visible.filter((c) => c.count > 0) : visible;
  const limit = useProgressiveCards(shown.map((c) => c.cards.length));
  const columns = (
    <>
      {empty.length > 0 && (
        <div className="mb-2 flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
          <label className="flex items-center gap-2">
            <input
              type="checkbox"
              checked={hideEmpty}
              onChange={(e) => setHideEmpty(e.target.checked)}
              data-testid="hide-empty-columns"
              className="accent-accent"
            />
            Hide empty columns ({empty.length})
          </label>
          {hideEmpty && (
            <span className="text-muted" data-testid="hidden-columns">
              Hidden: {empty.map(columnLabel).join(', ')}
            </span>
          )}
        </div>
      )}
      {shown.length === 0 ? (
        <Empty>No stories on this board yet.</Empty>
      ) : (
        // Columns keep a readable width; when they do not all fit, the board scrolls sideways in its own region.
        <div
          className="grid gap-3 overflow-x-auto pb-2"
          style={{ gridTemplateColumns: `repeat(${shown.length}, minmax(16rem, 1fr))` }}
          data-testid="kanban-board"
          role="region"
          aria-label="Board columns"
          tabIndex={0}
        >
          {shown.map((c) => (
            <BoardColumn
              key={c.key}
              column={c}
              names={names}
              byEpic={byEpic}
              editable={editable}
              dragging={dragging}
              onMove={onMove}
              limit={c.cards.length > limit ? limit : Infinity}
            />
          ))}
        </div>
      )}
    </>
  );
  if (!editable) return columns;
  return (
    <DndContext
      sensors={sensors}
      collisionDetection={collisions}
      onDragStart={onDragStart}
      onDragEnd={onDragEnd}
      onDragCancel={onDragCancel}
      accessibility={ACCESSIBILITY}
    >
      {columns}
      <DragOverlay>{dragging ? <CardPreview story={dragging} names={names} /> : null}</DragOverlay>
    </DndContext>
  );
}
