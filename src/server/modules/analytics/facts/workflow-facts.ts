import { chronological, hoursBetween, type Fact, type HistoryEntry } from './fact.js';

/**
 * Facts of one workflow run from its whole status history (re-derived whenever an event of the run arrives, so a late
 * or out-of-order event corrects them). Only changes of status count: a source that restates the same status adds
 * nothing.
 */
export function workflowFacts(history: readonly HistoryEntry[]): Fact[] {
  const facts: Fact[] = [];
  let prev: string | null = null;
  let firstInProgress: HistoryEntry | null = null;
  let blockedSince: HistoryEntry | null = null;
  for (const e of chronological(history)) {
    if (e.status === prev) continue;
    if (e.status === 'in_progress' && firstInProgress === null) firstInProgress = e;
    if (prev === 'blocked' && blockedSince !== null) {
      facts.push({
        kpi: 'time_blocked',
        at: e.at,
        num: 0,
        den: null,
        sample: hoursBetween(blockedSince.at, e.at),
        eventIds: [blockedSince.eventId, e.eventId],
      });
      blockedSince = null;
    }
    if (e.status === 'blocked') blockedSince = e;
    if (e.status === 'done') {
      facts.push({ kpi: 'workflows_completed', at: e.at, num: 1, den: null, sample: null, eventIds: [e.eventId] });
      facts.push({ kpi: 'failure_rate', at: e.at, num: 0, den: 1, sample: null, eventIds: [e.eventId] });
      if (firstInProgress !== null) {
        facts.push({
          kpi: 'median_cycle_time',
          at: e.at,
          num: 1,
          den: null,
          sample: hoursBetween(firstInProgress.at, e.at),
          eventIds: [firstInProgress.eventId, e.eventId],
        });
      }
    }
    if (e.status === 'failed') facts.push({ kpi: 'failure_rate', at: e.at, num: 1, den: 1, sample: null, eventIds: [e.eventId] });
    prev = e.status;
  }
  return facts;
}
