import { keys } from '../../api/queries.js';
import type { TypedEvent } from './fold.js';
import type { ReducerContext } from './reducer.js';

/**
 * Costs: totals are aggregates the client cannot patch, so a recorded cost re-reads the cost queries on screen,
 * coalesced by the throttled invalidator (at most once a second however many costs arrive).
 */
export function applyCostEvents(events: readonly TypedEvent[], ctx: ReducerContext): void {
  if (events.some((e) => e.eventType === 'cost.recorded' || (e.eventType === 'sync.reported' && e.payload.module === 'cost'))) ctx.invalidate(keys.costs);
}
