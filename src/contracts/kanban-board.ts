import type { KanbanBoard, Story } from './api.js';
import { STATUS_MODEL, type Status } from './status-model.js';

/**
 * Columns in status-model order. A custom column (an upstream board's own, e.g. "review") sits right after the
 * column of its cards' canonical status, so the board still reads left to right as the lifecycle does.
 */
export function buildBoard(projectId: string, stories: readonly Story[]): KanbanBoard {
  const order = STATUS_MODEL.story.statuses;
  const columns = new Map<string, { key: string; status: Status | null; cards: Story[]; rank: number }>();
  order.forEach((s, i) => columns.set(s, { key: s, status: s, cards: [], rank: i * 2 }));
  for (const story of stories) {
    const key = story.kanbanColumn ?? story.status ?? 'unknown';
    let col = columns.get(key);
    if (!col) {
      const base = story.status ? order.indexOf(story.status) : order.length;
      col = { key, status: null, cards: [], rank: base * 2 + 1 };
      columns.set(key, col);
    }
    col.cards.push(story);
  }
  const sorted = [...columns.values()].sort((a, b) => a.rank - b.rank || a.key.localeCompare(b.key));
  return { projectId, columns: sorted.map((c) => ({ key: c.key, status: c.status, count: c.cards.length, cards: c.cards })) };
}
