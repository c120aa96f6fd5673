import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../src/server/modules/analytics/facts/fact.js';
import { storyFacts } from '../../src/server/modules/analytics/facts/story-facts.js';
import { workflowFacts } from '../../src/server/modules/analytics/facts/workflow-facts.js';

const h = (eventId: number, at: string, status: string, column: string | null = null): HistoryEntry => ({
  eventId,
  at: `2026-11-28T${at}:00.000Z`,
  status,
  column,
});

describe('workflow facts', () => {
  const history = [h(1, '08:00', 'queued'), h(2, '09:00', 'in_progress'), h(3, '10:00', 'blocked'), h(4, '11:30', 'in_progress'), h(5, '14:00', 'done')];

  it('derives completion, failure-rate outcome, cycle time and blocked time with their source events', () => {
    expect(workflowFacts(history)).toEqual([
      { kpi: 'time_blocked', at: history[3]!.at, num: 0, den: null, sample: 1.5, eventIds: [3, 4] },
      { kpi: 'workflows_completed', at: history[4]!.at, num: 1, den: null, sample: null, eventIds: [5] },
      { kpi: 'failure_rate', at: history[4]!.at, num: 0, den: 1, sample: null, eventIds: [5] },
      { kpi: 'median_cycle_time', at: history[4]!.at, num: 1, den: null, sample: 5, eventIds: [2, 5] },
    ]);
  });

  it('does not depend on the order events arrived in', () => {
    expect(workflowFacts([...history].reverse())).toEqual(workflowFacts(history));
  });

  it('ignores restated statuses and counts a failure per move to failed', () => {
    const f = workflowFacts([
      h(1, '08:00', 'in_progress'),
      h(2, '08:10', 'in_progress'),
      h(3, '09:00', 'failed'),
      h(4, '09:30', 'in_progress'),
      h(5, '10:00', 'failed'),
    ]);
    expect(f.map((x) => [x.kpi, x.num, x.den])).toEqual([
      ['failure_rate', 1, 1],
      ['failure_rate', 1, 1],
    ]);
  });

  it('has no cycle time for a run first seen done', () => {
    expect(workflowFacts([h(1, '08:00', 'done')]).map((x) => x.kpi)).toEqual(['workflows_completed', 'failure_rate']);
  });
});

describe('story facts', () => {
  it('counts a review that sends the story back, then its acceptance', () => {
    const f = storyFacts([
      h(1, '09:00', 'in_progress', 'in-progress'),
      h(2, '12:00', 'in_progress', 'review'),
      h(3, '13:00', 'in_progress', 'in-progress'),
      h(4, '15:00', 'done', 'done'),
    ]);
    expect(f.map((x) => [x.kpi, x.num, x.den, x.eventIds])).toEqual([
      ['rework_rate', 1, 1, [2, 3]],
      ['stories_completed', 1, null, [4]],
      ['rework_rate', 0, 1, [4]],
    ]);
  });

  it('treats a reopened done story as rework', () => {
    const f = storyFacts([h(1, '09:00', 'done', 'done'), h(2, '10:00', 'in_progress', null)]);
    expect(f.filter((x) => x.kpi === 'rework_rate').map((x) => [x.num, x.eventIds])).toEqual([
      [0, [1]],
      [1, [1, 2]],
    ]);
  });
});
