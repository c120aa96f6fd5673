import { describe, expect, it } from 'vitest';
import type { FlowResponse } from '../../src/contracts/index.js';
import { stackValues } from '../../src/web/components/charts/time-series.js';
import { columnWords } from '../../src/web/pages/projects/flow/flow-format.js';
import { burndownChart, cfdChart, columnColors, throughputChart } from '../../src/web/pages/projects/flow/flow-model.js';

const d = (day: number) => `2026-11-${String(day).padStart(2, '0')}T00:00:00.000Z`;
const flow: FlowResponse = {
  projectId: 'p',
  bucket: 'day',
  tz: 'UTC',
  start: d(1),
  end: d(4),
  columns: ['backlog', 'in-progress', 'done'],
  firstTransitionAt: d(2),
  lastTransitionAt: d(3),
  cfd: [
    { start: d(1), end: d(2), counts: null },
    { start: d(2), end: d(3), counts: { backlog: 2, 'in-progress': 1 } },
    { start: d(3), end: d(4), counts: { backlog: 1, 'in-progress': 1, done: 1 } },
  ],
  burndown: [
    {
      epic: 'Epic 1',
      points: [
        { start: d(1), end: d(2), remaining: null, total: null },
        { start: d(2), end: d(3), remaining: 3, total: 3 },
        { start: d(3), end: d(4), remaining: 2, total: 3 },
      ],
    },
  ],
  throughput: [{ start: d(1), end: d(8), done: 1, cycleTimeHours: { p50: 30, p85: 30, p95: 30, n: 1 } }],
  cycleTimeHours: { p50: 30, p85: 30, p95: 30, n: 1 },
};

describe('flow charts from the API', () => {
  it('a bucket before the first recorded change is no data (a hatched band), never zero; a column missing from a known bucket is 0', () => {
    const c = cfdChart(flow);
    expect(c.series.map((s) => s.label)).toEqual(['Backlog', 'In progress', 'Done']);
    expect(c.series.map((s) => s.values)).toEqual([
      [null, 2, 1],
      [null, 1, 1],
      [null, 0, 1],
    ]);
    expect(c.unavailable).toEqual([{ from: Date.parse(d(1)), to: Date.parse(d(2)), reason: 'no_history', label: 'before the first recorded status change' }]);
    expect(burndownChart(flow).unavailable).toHaveLength(1);
    expect(throughputChart(flow).unavailable).toEqual([]);
  });

  it('stacks from the last series up: the first series is the top of the stack, unknown stays unknown', () => {
    const c = cfdChart(flow);
    expect(stackValues(c.series)).toEqual([
      [null, 3, 3],
      [null, 1, 2],
      [null, 0, 1],
    ]);
  });

  it('gives each column its own colour, the usual one first, and names it in words', () => {
    expect(columnColors(['backlog', 'ready-for-dev', 'in-progress', 'review', 'done'])).toEqual([
      '--chart-7',
      '--chart-5',
      '--chart-1',
      '--chart-2',
      '--chart-3',
    ]);
    const many = columnColors(['backlog', 'draft', 'planned', 'x-1', 'x-2']);
    expect(new Set(many).size).toBe(5);
    expect(columnWords('ready-for-dev')).toBe('Ready for dev');
    expect(columnWords('InProgress')).toBe('In progress');
    expect(columnWords('awaiting_operator')).toBe('Awaiting operator');
  });
});
