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
import { columnJump } from './column-keyboard.js';
import { CardPreview, DraggableCard, StaticCard } from './KanbanCard.js';

type Column = KanbanBoard['columns'][number];

const columnTitle = (c: Column) => (c.status ? statusLabel(c.status) : c.key.replace(/[-_]/g, ' ').replace(/^\w/, (m) => m.toUpperCase()));

/** Cards under epic headings when the project uses epics; cards without one come last. */
function groupByEpic(cards: readonly Story[]): [string | null, Story[]][] {
  const groups = new Map<string | null, Story[]>();
  for (const c of cards) groups.set(c.epic, [...(groups.get(c.epic) ?? []), c]);
  return [...groups.entries()].sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)));
}

interface ColumnProps {
  column: Column;
  names: Names;
  byEpic: boolean;
  editable: boolean;
  dragging: Story | null;
  onMove: (story: Story, to: Status) => void;
}

const BoardColumn = memo(function BoardColumn({ column, names, byEpic, editable, dragging, onMove }: ColumnProps) {
  // Only status columns take drops: a move is a status change; custom columns (e.g. "review") follow from it.
  const { setNodeRef, isOver } = useDroppable({ id: column.key, disabled: !editable || column.status === null, data: { status: column.status } });
  const allowed = dragging && column.status && dragging.status ? isTransitionAllowed('story', dragging.status, column.status) : false;
  const Card = editable ? DraggableCard : StaticCard;
  const titleId = `col-${column.key}`;
  return (
    <section
      ref={setNodeRef}
      aria-labelledby={titleId}
      data-testid="kanban-column"
      data-column={column.key}
      data-status={column.status ?? ''}
      className={`flex min-h-40 min-w-0 flex-col rounded-md border bg-surface-2 ${isOver && allowed ? 'border-accent ring-2 ring-accent' : 'border-border'} ${dragging && !allowed && dragging.status !== column.status ? 'opacity-60' : ''}`}
    >
      <h2 id={titleId} className="flex items-center justify-between gap-2 border-b border-border px-3 py-2 text-sm font-semibold">
        <span className="truncate">{columnTitle(column)}</span>
        <span className="rounded-full bg-surface px-2 text-xs tabular-nums" data-testid="column-count" aria-label={`${column.count} cards`}>
          {column.count}
        </span>
      </h2>
      <div className="flex-1 space-y-2 overflow-y-auto p-2">
        {byEpic
          ? groupByEpic(column.cards).map(([epic, cards]) => (
              <div key={epic ?? '\u0000'}>
                <h3 className="mb-1 truncate px-1 text-xs font-semibold uppercase text-muted">{epic ?? 'No epic'}</h3>
                <ul className="space-y-2">
                  {cards.map((s) => (
                    <Card key={s.id} story={s} names={names} showEpic={false} onMove={editable ? onMove : undefined} />
                  ))}
                </ul>
              </div>
            ))
          : (
              <ul className="space-y-2">
                {column.cards.map((s) => (
                  <Card key={s.id} story={s} names={names} showEpic onMove={editable ? onMove : undefined} />
                ))}
              </ul>
            )}
      </div>
    </section>
  );
});

const collisions: CollisionDetection = (args) => {
  const within = pointerWithin(args);
  return within.length > 0 ? within : rectIntersection(args);
};

export function Board({ board, names, editable, onMove }: { board: KanbanBoard; names: Names; editable: boolean; onMove: (story: Story, to: Status) => void }) {
  const [dragging, setDragging] = useState<Story | null>(null);
  const sensors = useSensors(
    useSensor(MouseSensor, { activationConstraint: { distance: 5 } }),
    // A delay lets a finger scroll the board; holding a card picks it up.
    useSensor(TouchSensor, { activationConstraint: { delay: 250, tolerance: 6 } }),
    useSensor(KeyboardSensor, { coordinateGetter: columnJump }),
  );
  const byEpic = useMemo(() => board.columns.some((c) => c.cards.some((s) => s.epic !== null)), [board]);
  const onDragStart = useCallback((e: DragStartEvent) => setDragging((e.active.data.current?.story as Story | undefined) ?? null), []);
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
  const columns = (
    <div
      className="grid gap-3 overflow-x-auto pb-2"
      style={{ gridTemplateColumns: `repeat(${board.columns.length}, minmax(9.5rem, 1fr))` }}
      data-testid="kanban-board"
      role="region"
      aria-label="Board columns"
      tabIndex={0}
    >
      {board.columns.map((c) => (
        <BoardColumn key={c.key} column={c} names={names} byEpic={byEpic} editable={editable} dragging={dragging} onMove={onMove} />
      ))}
    </div>
  );
  if (!editable) return columns;
  return (
    <DndContext
      sensors={sensors}
      collisionDetection={collisions}
      onDragStart={onDragStart}
      onDragEnd={onDragEnd}
      onDragCancel={() => setDragging(null)}
      accessibility={{
        screenReaderInstructions: { draggable: 'Press Space to pick up the card, Left and Right arrows to choose a column, Space to drop, Escape to cancel. Or use its Move button.' },
      }}
    >
      {columns}
      <DragOverlay>{dragging ? <CardPreview story={dragging} names={names} /> : null}</DragOverlay>
    </DndContext>
  );
}
