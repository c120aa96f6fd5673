import { describe, expect, it } from 'vitest';
import { trendsQuerySchema, type TrendsResponse } from '../../src/contracts/index.js';
import { KPI_DEFINITIONS } from '../../src/server/modules/analytics/kpi-catalogue.js';
import { filtersFrom, overlaps, rangeErrors, rangeOf, type AnalyticsFilters } from '../../src/web/pages/analytics/analytics-params.js';
import { buildCharts } from '../../src/web/pages/analytics/chart-model.js';

// The analytics page's pure parts, without a browser: URL state, the range rules the server's 422 mirrors, the
// live-refresh overlap test, and how the trends answer becomes charts.

const custom = (start: string | undefined, end: string | undefined, bucket: 'hour' | 'day' = 'day'): AnalyticsFilters => ({
  ...filtersFrom(new URLSearchParams('window=custom')),
  start,
  end,
  bucket,
});

describe('analytics URL state', () => {
  it('reads selections from the URL, dropping unknown KPIs and defaulting what is missing', () => {
    const f = filtersFrom(new URLSearchParams('agents=a,b,a&kpis=cost,nope,failure_rate&window=30d&lineage=metric:x'));
    expect(f).toMatchObject({ agents: ['a', 'b'], kpis: ['cost', 'failure_rate'], window: '30d', bucket: 'day', lineage: 'metric:x' });
    expect(filtersFrom(new URLSearchParams('window=24h')).bucket).toBe('hour');
    expect(filtersFrom(new URLSearchParams('kpis=nope')).kpis).toEqual(['workflows_completed', 'failure_rate', 'median_cycle_time', 'cost']);
    // Dates only count for a custom range.
    expect(filtersFrom(new URLSearchParams('window=7d&start=2026-01-01')).start).toBeUndefined();
  });

  it('ends a preset at the next bucket boundary, with at least two buckets', () => {
    const now = Date.parse('2026-11-29T14:20:00Z');
    expect(rangeOf(filtersFrom(new URLSearchParams('window=7d')), now)).toEqual({ start: '2026-11-23T00:00:00.000Z', end: '2026-11-30T00:00:00.000Z' });
    expect(rangeOf(filtersFrom(new URLSearchParams('window=24h')), now)).toEqual({ start: '2026-11-28T15:00:00.000Z', end: '2026-11-29T15:00:00.000Z' });
    expect(rangeOf(filtersFrom(new URLSearchParams('window=24h&bucket=day')), now)).toEqual({
      start: '2026-11-28T00:00:00.000Z',
      end: '2026-11-30T00:00:00.000Z',
    });
    expect(rangeOf(custom('2026-11-01', '2026-11-02'), now)).toEqual({ start: '2026-11-01T00:00:00.000Z', end: '2026-11-02T00:00:00.000Z' });
    expect(rangeOf(custom('2026-11-02', '2026-11-01'), now)).toBeUndefined();
  });

  it('refuses exactly the custom ranges the server refuses (trendsQuerySchema), on the same field', () => {
    const cases: [string | undefined, string | undefined, 'hour' | 'day'][] = [
      ['2026-11-01', '2026-11-02', 'day'],
      ['2026-11-02', '2026-11-01', 'day'],
      ['2026-11-01', '2026-11-01', 'hour'],
      ['2025-01-01', '2026-02-05', 'day'],
      ['2025-01-01', '2026-02-06', 'day'],
      ['2025-01-01', '2026-02-06', 'hour'],
      ['2025-01-01', '2026-02-05', 'hour'],
      ['2026-02-30', '2026-03-02', 'day'],
      ['2026-13-01', '2026-12-02', 'day'],
    ];
    for (const [start, end, bucket] of cases) {
      const client = rangeErrors(custom(start, end, bucket));
      const server = trendsQuerySchema.safeParse({ start: `${start}T00:00:00Z`, end: `${end}T00:00:00Z`, bucket });
      const label = `${start}..${end} by ${bucket}`;
      expect(Object.keys(client).length > 0, label).toBe(!server.success);
      if (!server.success) {
        const paths = server.error.issues.map((i) => String(i.path[0]));
        expect(
          paths.some((p) => p in client),
          `${label}: server ${paths.join(',')} vs client ${Object.keys(client).join(',')}`,
        ).toBe(true);
      }
    }
    expect(rangeErrors(custom(undefined, '2026-11-01')).start).toBe('Enter a start date.');
    expect(rangeErrors(custom('2026-11-02', '2026-11-01')).end).toBe('The end must be after the start.');
    expect(rangeErrors(custom('2025-01-01', '2026-02-06')).end).toBe('The range must be at most 400 days.');
  });

  it('refetches only for rollup notices that touch the visible range', () => {
    const range = { start: '2026-11-23T00:00:00.000Z', end: '2026-11-30T00:00:00.000Z' };
    expect(overlaps(range, '2026-11-29T10:00:00.000Z', '2026-11-29T10:00:00.000Z')).toBe(true);
    expect(overlaps(range, '2026-11-01T00:00:00.000Z', '2026-11-02T00:00:00.000Z')).toBe(false);
    expect(overlaps(range, '2026-11-30T00:00:00.000Z', '2026-12-01T00:00:00.000Z')).toBe(false);
    // A day bucket starting before the range still holds hours inside it.
    expect(overlaps({ start: '2026-11-29T10:00:00.000Z', end: '2026-11-29T15:00:00.000Z' }, '2026-11-29T00:00:00.000Z', '2026-11-29T00:00:00.000Z')).toBe(true);
  });
});

describe('analytics charts from a trends answer', () => {
  const pts = (values: (number | null)[]) =>
    values.map((value, i) => ({
      start: `2026-11-2${i}T00:00:00.000Z`,
      end: `2026-11-2${i + 1}T00:00:00.000Z`,
      value,
      lineageRef: value === null ? null : `metric:${i}`,
    }));
  const data: TrendsResponse = {
    bucket: 'day',
    start: '2026-11-20T00:00:00.000Z',
    end: '2026-11-23T00:00:00.000Z',
    series: [
      { agentId: 'a', kpi: 'cost', unit: 'USD', points: pts([1, null, 2]) },
      { agentId: 'a', kpi: 'cost', unit: 'EUR', points: pts([null, 3, null]) },
      { agentId: 'b', kpi: 'cost', unit: 'USD', points: pts([null, null, 5]) },
      { agentId: 'a', kpi: 'failure_rate', unit: 'ratio', points: pts([null, null, null]) },
    ],
    rollup: { throughEventId: 1, headEventId: 1, lagEvents: 0 },
  };

  it('makes one chart per KPI and currency, keeps nulls as gaps, and lists a requested agent without data', () => {
    const charts = buildCharts(data, ['failure_rate', 'cost'], KPI_DEFINITIONS, ['a', 'b', 'c'], (id) => `Agent ${id}`);
    expect(charts.map((c) => c.key)).toEqual(['failure_rate:ratio', 'cost:EUR', 'cost:USD']);
    const usd = charts[2]!;
    expect(usd.lines.map((l) => [l.agentId, l.values])).toEqual([
      ['a', [1, null, 2]],
      ['b', [null, null, 5]],
      ['c', [null, null, null]],
    ]);
    expect(usd.lines[0]!.lineageRefs).toEqual(['metric:0', null, 'metric:2']);
    expect(charts[0]!.hasData).toBe(false);
    // An agent keeps its colour in every chart.
    expect(new Set(charts.map((c) => c.lines.find((l) => l.agentId === 'b')!.colorIndex)).size).toBe(1);
  });

  it("gives a KPI without any series the answer's buckets, as no data for the agents asked for", () => {
    const [chart] = buildCharts(data, ['tokens_per_completed_story'], KPI_DEFINITIONS, ['a'], (id) => id);
    expect(chart!.times.map((t) => new Date(t).toISOString())).toEqual(['2026-11-20T00:00:00.000Z', '2026-11-21T00:00:00.000Z', '2026-11-22T00:00:00.000Z']);
    expect(chart!.lines.map((l) => [l.agentId, l.values])).toEqual([['a', [null, null, null]]]);
    expect(chart!.hasData).toBe(false);
  });
});
