import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  errorBodySchema,
  kpiCatalogueSchema,
  KPI_KEYS,
  lineageResponseSchema,
  outliersResponseSchema,
  trendsResponseSchema,
} from '../../src/contracts/index.js';
import { fixedClock } from '../../src/server/clock.js';
import { withWriteTransaction } from '../../src/server/db/write-transaction.js';
import { analyticsRepository } from '../../src/server/modules/analytics/analytics.repository.js';
import { agentUpserted, costRecorded, storyUpserted, workflowTransitioned, workflowUpserted } from '../support/events.js';
import { ingestAccepted } from '../support/ingest.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';

/**
 * Hand-computed fixture. Day D = 2026-11-28 (UTC), already over at the test clock (2026-11-29T12:00Z).
 *
 * Agent a1:
 * - w1: in_progress 11-27 18:00, blocked D 10:00, in_progress D 11:30, done D 14:00 → completed 1, cycle 20 h,
 *   blocked 1.5 h (ending in hour 11:00).
 * - w2: first seen in_progress D 08:00, failed D 09:30 → failure.
 * - w3: first seen done D 14:00 → completed 1, no cycle sample (never seen in progress).
 *   → workflows_completed 2, failure_rate 1/3, median_cycle_time 20, time_blocked 1.5.
 * - story s1 (w1 ran on it): dev D 09:00 → review D 12:00 → back to in-progress D 13:00 → done D 15:00
 *   → rework 1 sent back of 2 outcomes = 0.5; 1 story completed.
 * - cost: 1.5 USD (09:15), 2.5 USD (16:00), 3 EUR (10:00), tokens-only sonnet 4.5 at 17:00 priced 6.975 USD
 *   (1 M in · 3 + 0.2 M out · 15 + 0.1 M write · 3.75 + 2 M read · 0.30 per MTok), 3.3 M tokens
 *   → cost USD 10.975, EUR 3; per completed story the same; tokens per completed story 3,300,000.
 * Agents a2..a6: one run each, in_progress D 08:00 → done after 2, 2.5, 3, 2.2, 2.8 h.
 *   Peer median_cycle_time on D: [2, 2.2, 2.5, 2.8, 3, 20] → median 2.65, MAD 0.4, a1's z = 0.6745·17.35/0.4 = 29.256.
 * Agent a7: cost 1.0, 1.1, 0.9, 1.05, 0.95, 1.0, 1.02, 0.98 USD on the 8 days before D, 10 USD on D
 *   → history median 1.0, MAD 0.035, z = 0.6745·9/0.035 = 173.44.
 */
const clock = fixedClock(new Date('2026-11-29T12:00:00.000Z'));
const D = '2026-11-28';
const on = (hhmm: string, day = D) => `${day}T${hhmm}:00.000Z`;
const DAY = { start: `${D}T00:00:00.000Z`, end: '2026-11-29T00:00:00.000Z' };

async function getJson(t: TestServer, url: string) {
  const res = await t.get(url);
  const body: unknown = await res.json();
  return { status: res.status, body };
}

async function trends(t: TestServer, qs: string) {
  const r = await getJson(t, `/api/v1/analytics/agents/trends?${qs}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return trendsResponseSchema.parse(r.body);
}

async function lineage(t: TestServer, ref: string, qs = '') {
  const r = await getJson(t, `/api/v1/analytics/lineage/${ref}${qs}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return lineageResponseSchema.parse(r.body);
}

function fixture() {
  const a1 = [
    workflowUpserted('w1', { agentId: 'a1', storyId: 's1', projectId: 'p1', status: 'queued' }, { occurredAt: on('17:00', '2026-11-27') }),
    workflowTransitioned('w1', 'queued', 'in_progress', { occurredAt: on('18:00', '2026-11-27') }),
    workflowTransitioned('w1', 'in_progress', 'blocked', { occurredAt: on('10:00') }),
    workflowTransitioned('w1', 'blocked', 'in_progress', { occurredAt: on('11:30') }),
    workflowTransitioned('w1', 'in_progress', 'done', { occurredAt: on('14:00') }),
    workflowUpserted('w2', { agentId: 'a1', status: 'in_progress' }, { occurredAt: on('08:00') }),
    workflowTransitioned('w2', 'in_progress', 'failed', { occurredAt: on('09:30') }),
    workflowUpserted('w3', { agentId: 'a1', status: 'done' }, { occurredAt: on('14:00') }),
  ];
  const story = [
    storyUpserted('s1', 'p1', { status: 'in_progress', kanbanColumn: 'in-progress' }, { occurredAt: on('09:00') }),
    storyUpserted('s1', 'p1', { status: 'in_progress', kanbanColumn: 'review' }, { occurredAt: on('12:00') }),
    storyUpserted('s1', 'p1', { status: 'in_progress', kanbanColumn: 'in-progress' }, { occurredAt: on('13:00') }),
    storyUpserted('s1', 'p1', { status: 'done', kanbanColumn: 'done' }, { occurredAt: on('15:00') }),
  ];
  const costs = [
    costRecorded('c1', { agentId: 'a1', storyId: 's1', amount: 1.5 }, { occurredAt: on('09:15') }),
    costRecorded('c2', { agentId: 'a1', amount: 2.5 }, { occurredAt: on('16:00') }),
    costRecorded('c3', { agentId: 'a1', amount: 3, currency: 'EUR' }, { occurredAt: on('10:00') }),
    costRecorded(
      'c4',
      {
        agentId: 'a1',
        amount: undefined,
        currency: undefined,
        model: 'claude-3-7-sonnet-20250219',
        tokens: { input: 1_000_000, output: 200_000, cacheWrite: 100_000, cacheRead: 2_000_000 },
      },
      { occurredAt: on('17:00') },
    ),
  ];
  const peers = (
    [
      ['a2', 2],
      ['a3', 2.5],
      ['a4', 3],
      ['a5', 2.2],
      ['a6', 2.8],
    ] as const
  ).flatMap(([agent, hours]) => [
    workflowUpserted(`w-${agent}`, { agentId: agent, status: 'in_progress' }, { occurredAt: on('08:00') }),
    workflowTransitioned(`w-${agent}`, 'in_progress', 'done', { occurredAt: new Date(Date.parse(on('08:00')) + hours * 3_600_000).toISOString() }),
  ]);
  const history = [1.0, 1.1, 0.9, 1.05, 0.95, 1.0, 1.02, 0.98].map((amount, i) =>
    costRecorded(`h${i}`, { agentId: 'a7', amount }, { occurredAt: new Date(Date.parse(DAY.start) - (8 - i) * 86_400_000 + 3_600_000).toISOString() }),
  );
  const a7 = costRecorded('h-d', { agentId: 'a7', amount: 10 }, { occurredAt: on('12:00') });
  const agents = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'].map((id) => agentUpserted(id, {}, { occurredAt: on('00:00', '2026-11-01') }));
  return { a1, story, costs, peers, history, a7, agents };
}

describe('agent analytics: KPIs, rollup, outliers and lineage (hand-computed fixture)', () => {
  let t: TestServer;
  let ids: { a1: number[]; story: number[]; costs: number[]; a7: number[] };
  beforeAll(async () => {
    t = await startTestServer({ clock });
    const f = fixture();
    await ingestAccepted(t, f.agents);
    const a1 = await ingestAccepted(t, f.a1);
    const story = await ingestAccepted(t, f.story);
    const costs = await ingestAccepted(t, f.costs);
    await ingestAccepted(t, f.peers);
    await ingestAccepted(t, f.history);
    const a7 = await ingestAccepted(t, [f.a7]);
    ids = { a1: a1.map((e) => e.eventId), story: story.map((e) => e.eventId), costs: costs.map((e) => e.eventId), a7: a7.map((e) => e.eventId) };
    await t.server.core.rollup.drain();
  });
  afterAll(() => t.close());

  it('publishes the KPI catalogue with units, direction, definitions and source events', async () => {
    const r = await getJson(t, '/api/v1/meta/kpis');
    expect(r.status).toBe(200);
    const c = kpiCatalogueSchema.parse(r.body);
    expect(c.kpis.map((k) => k.id)).toEqual([...KPI_KEYS]);
    expect(c.kpis.find((k) => k.id === 'failure_rate')).toMatchObject({ unit: 'ratio', direction: 'lower_is_better', aggregation: 'ratio' });
    expect(c.kpis.find((k) => k.id === 'workflows_completed')).toMatchObject({
      direction: 'higher_is_better',
      sourceEvents: ['workflow.upserted', 'workflow.transitioned'],
    });
    expect(c.outliers).toMatchObject({ threshold: 3.5, minPeers: 5, minHistory: 7 });
  });

  it('rolls up the day per agent exactly as hand-computed', async () => {
    const r = await trends(t, `agentIds=a1&start=${DAY.start}&end=${DAY.end}&bucket=day`);
    const value = (kpi: string, unit?: string) => r.series.find((s) => s.kpi === kpi && (unit === undefined || s.unit === unit))?.points[0]?.value;
    expect(value('workflows_completed')).toBe(2);
    expect(value('failure_rate')).toBeCloseTo(1 / 3, 10);
    expect(value('median_cycle_time')).toBeCloseTo(20, 10);
    expect(value('time_blocked')).toBeCloseTo(1.5, 10);
    expect(value('rework_rate')).toBeCloseTo(0.5, 10);
    expect(value('cost', 'USD')).toBeCloseTo(10.975, 10);
    expect(value('cost', 'EUR')).toBeCloseTo(3, 10);
    expect(value('cost_per_completed_story', 'USD')).toBeCloseTo(10.975, 10);
    expect(value('cost_per_completed_story', 'EUR')).toBeCloseTo(3, 10);
    expect(value('tokens_per_completed_story')).toBe(3_300_000);
    expect(r.rollup.lagEvents).toBe(0);
  });

  it('hour buckets hold what happened in that hour; buckets without events are null, not zero', async () => {
    const r = await trends(t, `agentIds=a1&kpis=cost,time_blocked,workflows_completed&start=${on('09:00')}&end=${on('12:00')}&bucket=hour`);
    const points = (kpi: string, unit: string) => r.series.find((s) => s.kpi === kpi && s.unit === unit)!.points.map((p) => p.value);
    expect(points('cost', 'USD')).toEqual([1.5, null, null]);
    expect(points('cost', 'EUR')).toEqual([null, 3, null]);
    expect(points('time_blocked', 'hours')).toEqual([null, null, 1.5]);
    expect(points('workflows_completed', 'count')).toEqual([null, null, null]);
    const days = await trends(t, `agentIds=a1&kpis=workflows_completed&start=2026-11-26T00:00:00Z&end=2026-11-30T00:00:00Z`);
    expect(days.series[0]!.points.map((p) => p.value)).toEqual([null, null, 2, null]);
  });

  it('flags the peer outlier with its score, method, threshold and why', async () => {
    const r = await getJson(t, `/api/v1/analytics/agents/outliers?kpi=median_cycle_time&start=${DAY.start}&end=${DAY.end}`);
    expect(r.status).toBe(200);
    const items = outliersResponseSchema.parse(r.body).items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      agentId: 'a1',
      kpi: 'median_cycle_time',
      method: 'peer_mad',
      threshold: 3.5,
      baselineSize: 6,
      side: 'above',
      worse: true,
      value: 20,
    });
    expect(items[0]!.score).toBeCloseTo(29.26, 2);
    expect(items[0]!.baselineMedian).toBeCloseTo(2.65, 10);
    expect(items[0]!.baselineMad).toBeCloseTo(0.4, 10);
    expect(items[0]!.why).toContain('Median cycle time 20 h is above the median 2.65 h of the 6 agents with a value that day');
  });

  it("flags a value far from the agent's own history", async () => {
    const r = await getJson(t, `/api/v1/analytics/agents/outliers?agentIds=a7&start=${DAY.start}&end=${DAY.end}`);
    const items = outliersResponseSchema.parse(r.body).items;
    expect(items.map((o) => [o.kpi, o.method])).toEqual([['cost', 'history_mad']]);
    expect(items[0]!.score).toBeCloseTo(173.44, 1);
    expect(items[0]!.baselineSize).toBe(8);
  });

  it('lineage of a metric returns exactly the events it was computed from', async () => {
    const day = await trends(t, `agentIds=a1&start=${DAY.start}&end=${DAY.end}`);
    const ref = (kpi: string, unit: string) => day.series.find((s) => s.kpi === kpi && s.unit === unit)!.points[0]!.lineageRef!;
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

    const cost = await lineage(t, ref('cost', 'USD'));
    expect(cost.metric).toMatchObject({ agentId: 'a1', kpi: 'cost', unit: 'USD', granularity: 'day', windowStart: DAY.start });
    expect(cost.events.map((e) => e.eventId)).toEqual(sorted([ids.costs[0]!, ids.costs[1]!, ids.costs[3]!]));
    expect(cost.events.map((e) => e.contribution)).toEqual([1.5, 2.5, 6.975]);
    expect(cost.total).toBe(3);

    // in_progress (11-27 18:00) and done (D 14:00) of w1
    const cycle = await lineage(t, ref('median_cycle_time', 'hours'));
    expect(cycle.events.map((e) => e.eventId)).toEqual(sorted([ids.a1[1]!, ids.a1[4]!]));
    expect(cycle.events[1]!.links.map((l) => l.href)).toEqual(['/workflows/w1']);

    // review (12:00), back to in-progress (13:00), done (15:00)
    const rework = await lineage(t, ref('rework_rate', 'ratio'));
    expect(rework.events.map((e) => e.eventId)).toEqual(sorted([ids.story[1]!, ids.story[2]!, ids.story[3]!]));
    expect(rework.events[0]!.links).toContainEqual({ kind: 'story', id: 's1', label: 'Story s1', href: '/stories/s1' });
    expect(cycle.events[1]!.summary).toBe('Workflow w1: in_progress → done');

    // failure rate: the done of w1, the failed of w2, the done of w3
    const failure = await lineage(t, ref('failure_rate', 'ratio'));
    expect(failure.events.map((e) => e.eventId)).toEqual(sorted([ids.a1[4]!, ids.a1[6]!, ids.a1[7]!]));

    // per story: the USD costs and the story's completion
    const perStory = await lineage(t, ref('cost_per_completed_story', 'USD'));
    expect(perStory.events.map((e) => e.eventId)).toEqual(sorted([ids.costs[0]!, ids.costs[1]!, ids.costs[3]!, ids.story[3]!]));

    const paged = await lineage(t, ref('cost', 'USD'), '?limit=2');
    expect(paged.events).toHaveLength(2);
    const rest = await lineage(t, ref('cost', 'USD'), `?limit=2&after=${paged.nextAfter}`);
    expect([...paged.events, ...rest.events].map((e) => e.eventId)).toEqual(cost.events.map((e) => e.eventId));
    expect(rest.nextAfter).toBeNull();
  });

  it('folds late events in incrementally: a new cost and a late transition change only their buckets', async () => {
    const before = await trends(t, `agentIds=a1,a2&start=${DAY.start}&end=${DAY.end}`);
    await ingestAccepted(t, [costRecorded('late', { agentId: 'a1', amount: 0.025 }, { occurredAt: on('23:00') })]);
    // w2 turns out to have been blocked for 30 min before failing.
    await ingestAccepted(t, [
      workflowTransitioned('w2', 'in_progress', 'blocked', { occurredAt: on('08:30') }),
      workflowTransitioned('w2', 'blocked', 'in_progress', { occurredAt: on('09:00') }),
    ]);
    await t.server.core.rollup.drain();
    const after = await trends(t, `agentIds=a1,a2&start=${DAY.start}&end=${DAY.end}`);
    const v = (r: typeof after, agent: string, kpi: string, unit: string) =>
      r.series.find((s) => s.agentId === agent && s.kpi === kpi && s.unit === unit)?.points[0]?.value;
    expect(v(after, 'a1', 'cost', 'USD')).toBeCloseTo(11, 10);
    expect(v(after, 'a1', 'time_blocked', 'hours')).toBeCloseTo(2, 10);
    expect(v(after, 'a1', 'failure_rate', 'ratio')).toBeCloseTo(1 / 3, 10);
    expect(after.series.filter((s) => s.agentId === 'a2')).toEqual(before.series.filter((s) => s.agentId === 'a2'));
  });

  it('answers every bad parameter with a 422 naming the field, and an unknown reference with 404', async () => {
    const cases: [string, string][] = [
      [`/api/v1/analytics/agents/trends?start=${DAY.end}&end=${DAY.start}`, 'end'],
      ['/api/v1/analytics/agents/trends?start=2024-01-01T00:00:00Z&end=2026-01-01T00:00:00Z', 'end'],
      [`/api/v1/analytics/agents/trends?start=${DAY.start}&end=${DAY.end}&kpis=speed`, 'kpis[0]'],
      [`/api/v1/analytics/agents/trends?start=nope&end=${DAY.end}`, 'start'],
      [`/api/v1/analytics/agents/trends?start=${DAY.start}&end=${DAY.end}&bucket=week`, 'bucket'],
      [`/api/v1/analytics/agents/trends?start=${DAY.start}`, 'end'],
      [`/api/v1/analytics/agents/outliers?start=${DAY.start}&end=${DAY.end}&limit=0`, 'limit'],
      [`/api/v1/analytics/agents/outliers?start=${DAY.start}&end=${DAY.end}&kpi=speed`, 'kpi'],
      ['/api/v1/analytics/lineage/nonsense', 'lineageRef'],
      ['/api/v1/analytics/lineage/event:1?after=x', 'after'],
    ];
    for (const [url, field] of cases) {
      const res = await t.get(url);
      const body = errorBodySchema.parse(await res.json());
      expect(res.status, url).toBe(422);
      expect(
        body.error.fields?.map((f) => f.path),
        url,
      ).toContain(field);
    }
    expect((await t.get('/api/v1/analytics/lineage/metric:doesnotexist')).status).toBe(404);
    expect((await t.get('/api/v1/analytics/lineage/event:999999999')).status).toBe(404);
    const one = await lineage(t, `event:${ids.a7[0]}`);
    expect(one.events.map((e) => e.eventId)).toEqual(ids.a7);
  });
});

describe('agent analytics: order independence and live updates', () => {
  it('gives the same metrics and outliers whatever order and batching the events arrive in', async () => {
    const f = fixture();
    const all = [...f.agents, ...f.a1, ...f.story, ...f.costs, ...f.peers, ...f.history, f.a7];
    const snapshot = async (t: TestServer) => {
      const rows = await t.server.core.db.read
        .selectFrom('agent_metrics')
        .select(['agent_id', 'kpi_key', 'unit', 'granularity', 'window_start_utc', 'kpi_value', 'lineage_ref'])
        .orderBy(['agent_id', 'kpi_key', 'unit', 'granularity', 'window_start_utc'])
        .execute();
      const outliers = await t.server.core.db.read
        .selectFrom('agent_outliers')
        .select(['lineage_ref', 'method', 'score'])
        .orderBy(['lineage_ref', 'method'])
        .execute();
      return {
        rows: rows.map((r) => ({ ...r, kpi_value: r.kpi_value === null ? null : Math.round(r.kpi_value * 1e9) / 1e9 })),
        outliers: outliers.map((o) => ({ ...o, score: Math.round(o.score * 1e6) / 1e6 })),
      };
    };
    const inOrder = await startTestServer({ clock });
    const shuffled = await startTestServer({ clock });
    try {
      await ingestAccepted(inOrder, all);
      await inOrder.server.core.rollup.drain();
      // Reversed, one event per request, the rollup running between them: every history arrives backwards.
      for (const e of [...all].reverse()) {
        await ingestAccepted(shuffled, [e]);
        await shuffled.server.core.rollup.drain();
      }
      const a = await snapshot(inOrder);
      expect(a.rows.length).toBeGreaterThan(40);
      // median cycle time (MAD 0.4), and a1's 2 completions and 1/3 failure rate against five agents at 1 and 0: the
      // MAD is 0 there, so the scaled mean absolute deviation scores them (z = 1/(1.2533·1/6) = 4.79); a7's history.
      const flagged = await inOrder.server.core.db.read
        .selectFrom('agent_outliers as o')
        .innerJoin('agent_metrics as m', 'm.id', 'o.agent_metric_id')
        .select(['m.agent_id', 'm.kpi_key', 'o.method', 'o.score'])
        .orderBy(['m.agent_id', 'm.kpi_key'])
        .execute();
      expect(flagged.map((o) => [o.agent_id, o.kpi_key, o.method, Math.round(o.score * 100) / 100])).toEqual([
        ['a1', 'failure_rate', 'peer_mad', 4.79],
        ['a1', 'median_cycle_time', 'peer_mad', 29.26],
        ['a1', 'workflows_completed', 'peer_mad', 4.79],
        ['a7', 'cost', 'history_mad', 173.44],
      ]);
      expect(await snapshot(shuffled)).toEqual(a);
      // A full recompute from the event log (what `bmad-ops reprice` triggers) lands on the same figures.
      await withWriteTransaction(inOrder.server.core.db, { maxRetries: 10, retryDelayMs: 10 }, (trx) => analyticsRepository.reset(trx));
      expect((await snapshot(inOrder)).rows).toEqual([]);
      await inOrder.server.core.rollup.drain();
      expect(await snapshot(inOrder)).toEqual(a);
    } finally {
      await inOrder.close();
      await shuffled.close();
    }
  });

  it('tells clients subscribed to the agent topic which range changed after each rollup batch', async () => {
    const t = await startTestServer({ clock });
    try {
      const ws = await TestWsClient.authed(t.url, t.keys.read, ['agent']);
      await ws.waitFor((m) => m.type === 'resync_complete' || m.type === 'snapshot');
      const [e] = await ingestAccepted(t, [costRecorded('live', { agentId: 'a1', amount: 2 }, { occurredAt: on('10:00') })]);
      const msg = await ws.waitFor((m) => m.type === 'analytics_updated');
      expect(msg).toEqual({ type: 'analytics_updated', throughEventId: e!.eventId, from: `${D}T00:00:00.000Z`, to: DAY.end });
      const r = await trends(t, `agentIds=a1&kpis=cost&start=${DAY.start}&end=${DAY.end}`);
      expect(r.series[0]!.points[0]!.value).toBe(2);
      ws.close();
    } finally {
      await t.close();
    }
  });
});
