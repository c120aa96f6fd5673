import type { QueryClient } from '@tanstack/react-query';
import { buildBoard, type KanbanBoard, type Story } from '../../../contracts/index.js';
import type { ProjectContext } from '../../api/queries.js';
import { foldStory, type TypedEvent } from './fold.js';
import type { ReducerContext } from './reducer.js';

const foldAll = (s: Story | undefined, evs: readonly TypedEvent[]) => evs.reduce<Story | undefined>((acc, e) => foldStory(acc, e), s);

/**
 * Story events re-lay the board with the same buildBoard the server uses, so a card lands in exactly the column a
 * reload would show. A board is rebuilt once per batch, not once per event.
 */
export function applyStoryEvents(qc: QueryClient, events: readonly TypedEvent[], ctx: ReducerContext): void {
  const touched = new Map<string, TypedEvent[]>();
  for (const e of events) {
    if (e.eventType !== 'story.upserted' && e.eventType !== 'story.status_changed') continue;
    touched.set(e.entityId, [...(touched.get(e.entityId) ?? []), e]);
  }
  if (touched.size === 0) return;

  for (const [queryKey, board] of qc.getQueriesData<KanbanBoard>({ queryKey: ['kanban'] })) {
    if (!board) continue;
    const cards = new Map<string, Story>();
    for (const col of board.columns) for (const card of col.cards) cards.set(card.id, card);
    let changed = false;
    for (const [id, evs] of touched) {
      const next = foldAll(cards.get(id), evs);
      // A card we do not hold joins this board only when an upsert says it is this project's.
      if (!next || next.projectId !== board.projectId) continue;
      if (!cards.has(id) && next.title === null) {
        ctx.invalidate(queryKey);
        continue;
      }
      cards.set(id, next);
      changed = true;
    }
    if (changed) qc.setQueryData(queryKey, buildBoard(board.projectId, [...cards.values()]));
  }

  for (const [queryKey, context] of qc.getQueriesData<ProjectContext>({ queryKey: ['project-context'] })) {
    if (!context) continue;
    let changed = false;
    const stories = context.stories.map((s) => {
      const evs = touched.get(s.id);
      if (!evs) return s;
      changed = true;
      return foldAll(s, evs)!;
    });
    const known = new Set(context.stories.map((s) => s.id));
    if ([...touched.keys()].some((id) => !known.has(id) && touched.get(id)!.some((e) => e.eventType === 'story.upserted' && e.payload.projectId === context.project.id))) ctx.invalidate(queryKey);
    if (changed) qc.setQueryData(queryKey, { ...context, stories });
  }
  ctx.flash(touched.keys());
}

