import type { KanbanBoard, Story } from '../../contracts/index.js';

const sameJson = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

const sameStory = (a: Story, b: Story) =>
  a.title === b.title &&
  a.status === b.status &&
  a.kanbanColumn === b.kanbanColumn &&
  a.epic === b.epic &&
  a.ownerId === b.ownerId &&
  a.projectId === b.projectId &&
  a.statusSince === b.statusSince &&
  a.updatedAt === b.updatedAt &&
  // Findings change without the story changing (a consistency report): compare them too, and details with them.
  sameJson(a.findings, b.findings) &&
  sameJson(a.details, b.details) &&
  // Cost to date changes with every cost recorded for the story, without the story itself changing.
  sameJson(a.cost, b.cost);

/**
 * Structural sharing for boards by card id, not by array position: when one card moves, TanStack's default keeps
 * objects only where the index still matches, so every card after it would re-render. This keeps each unchanged card
 * the same object wherever it now sits, so memoised cards skip rendering.
 */
export function shareBoard(previous: unknown, next: unknown): unknown {
  const prev = previous as KanbanBoard | undefined;
  const board = next as KanbanBoard;
  if (!prev || !board?.columns) return next;
  const old = new Map<string, Story>();
  for (const c of prev.columns) for (const card of c.cards) old.set(card.id, card);
  return {
    ...board,
    columns: board.columns.map((c) => ({
      ...c,
      cards: c.cards.map((card) => {
        const o = old.get(card.id);
        return o && (o === card || sameStory(o, card)) ? o : card;
      }),
    })),
  };
}
