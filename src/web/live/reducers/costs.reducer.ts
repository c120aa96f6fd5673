import { keys, storyKeys } from '../../api/query-keys.js';
import type { TypedEvent } from './fold.js';
import type { ReducerContext } from './reducer.js';

/**
 * Costs: totals are aggregates the client cannot patch (a token-only record is priced on the server), so a recorded
 * cost re-reads what shows one, coalesced by the throttled invalidator (at most once a second however many costs
 * arrive, and only the queries on screen): the cost queries, the story's page and its board card, and the projects'
 * cost to date and cost per done story.
 *
 * The story and project a cost names are in its payload when the sender put them there; a sender may name them in the
 * envelope only, which live events do not carry. Such a cost re-reads every board, story page and project page on
 * screen rather than leave one showing an old figure.
 */
export function applyCostEvents(events: readonly TypedEvent[], ctx: ReducerContext): void {
  // A metric point (OTLP) changes a session's remainder cost just as a recorded cost does.
  const costs = events.filter((e) => e.eventType === 'cost.recorded' || e.eventType === 'cost.usage_reported');
  // A budget set or cleared changes the summary's budget bars.
  const budgets = events.some((e) => e.eventType === 'project.budget_set');
  if (costs.length > 0 || budgets || events.some((e) => e.eventType === 'sync.reported' && e.payload.module === 'cost')) ctx.invalidate(keys.costs);
  if (costs.length === 0) return;

  let anyUnattributed = false;
  const stories = new Set<string>();
  const projects = new Set<string>();
  for (const e of costs) {
    const { storyId, projectId } = e.payload;
    if (!storyId || !projectId) anyUnattributed = true;
    if (storyId) stories.add(storyId);
    if (projectId) projects.add(projectId);
  }
  if (anyUnattributed) {
    ctx.invalidate(['kanban']);
    ctx.invalidate(storyKeys.all);
    ctx.invalidate(['project-context']);
  } else {
    // A story's cost shows on its card (board of its project), its page, and the project page's story list.
    for (const id of stories) ctx.invalidate(storyKeys.detail(id));
    for (const id of projects) {
      ctx.invalidate(keys.board(id));
      ctx.invalidate(keys.projectContext(id));
    }
  }
  // Every project card carries cost to date and cost per done story.
  ctx.invalidate(keys.projects);
  // A run's cost shows in the workflow list and on its page (a session's run may be shown as another run: re-read both).
  if (costs.some((e) => e.payload.workflowId)) {
    ctx.invalidate(keys.workflows);
    ctx.invalidate(['workflow']);
  }
  ctx.flash([...stories, ...projects]);
}
