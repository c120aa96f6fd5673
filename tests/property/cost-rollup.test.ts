import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costSummarySchema, costTimeseriesSchema, type CostSummaryQuery, type CostTimeseriesQuery } from '../../src/contracts/index.js';
import { fixedClock } from '../../src/server/clock.js';
import { CostsService } from '../../src/server/modules/costs/costs.service.js';
import { repriceCosts } from '../../src/server/modules/costs/reprice.js';
import { loadPricingTable } from '../../src/server/pricing/pricing-table.js';
import { costRecorded, projectUpserted } from '../support/events.js';
import { ingestAccepted, serverIngest } from '../support/ingest.js';
import { startTestServer, tempDir, type TestServer } from '../support/test-server.js';

/**
 * The hourly rollup is an optimisation only: summary, timeseries and budgets read through it must equal the same
 * answers computed from cost_events alone (CostsService with rollup off), for random events, random windows that are
 * not hour-aligned (to the second), half-hour and DST zones, and any arrival order or batching.
 */
const BASE = Date.UTC(2026, 9, 23, 0, 0, 0); // 2026-10-23: spans the Berlin and New York DST ends and a month boundary
const SPAN_S = 12 * 24 * 3600;
const second = fc.integer({ min: 0, max: SPAN_S });
const iso = (s: number) => new Date(BASE + s * 1000).toISOString();

// Half the records fall in 18:00-19:00Z, the hour Asia/Kolkata's days start in (18:30Z): the hours the rollup must not
// attribute to one bucket.
const nearKolkataMidnight = fc.tuple(fc.integer({ min: 0, max: 11 }), fc.integer({ min: 18 * 3600, max: 19 * 3600 - 1 })).map(([d, s]) => d * 86_400 + s);
const cost = fc.record({
  at: fc.oneof(second, nearKolkataMidnight),
  kind: fc.constantFrom('USD', 'EUR', 'tokens', 'unknown-model'),
  amount: fc.integer({ min: 0, max: 100_000 }).map((c) => c / 100),
  agentId: fc.constantFrom('dev', 'qa', undefined),
  storyId: fc.constantFrom('s-1', 's-2', undefined),
  workflow: fc.constantFrom('dev-story', 'code-review', undefined),
  model: fc.constantFrom('claude-haiku-4-5', 'claude-opus-4-1-20250805', undefined),
  tokens: fc.integer({ min: 0, max: 3_000_000 }),
});

/** Amounts computed by summing in a different order may differ in the last float bits: compare to 1e-6. */
function normalise(value: unknown): unknown {
  if (typeof value === 'number') return Math.round(value * 1e6) / 1e6;
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  return value;
}

const clock = fixedClock(new Date(BASE));
let t: TestServer;
let raw: CostsService;
let run = 0;
beforeAll(async () => {
  t = await startTestServer({ clock });
  raw = new CostsService(t.server.core.db, clock, { defaultCurrency: 'USD', rollup: false, priceTable: { version: t.server.core.pricing.version } });
});
afterAll(() => t.close());

type Cost = typeof cost extends fc.Arbitrary<infer T> ? T : never;

function toEvent(c: Cost, projectId: string) {
  const occurredAt = iso(c.at);
  const common = { projectId, agentId: c.agentId, storyId: c.storyId, workflow: c.workflow };
  if (c.kind === 'USD' || c.kind === 'EUR') return costRecorded(`c`, { ...common, model: c.model, amount: c.amount, currency: c.kind }, { occurredAt });
  const model = c.kind === 'tokens' ? (c.model ?? 'claude-haiku-4-5') : 'unknown-model';
  return costRecorded(`c`, { ...common, amount: undefined, currency: undefined, model, tokens: { input: c.tokens, output: c.tokens >> 3 } }, { occurredAt });
}

async function rollupRows(projectId: string) {
  const rows = await t.server.core.db.read
    .selectFrom('cost_rollup_hourly')
    .select(['hour_start_utc', 'agent_id', 'model', 'story_id', 'currency', 'amount_sum', 'event_count', 'unpriced_count'])
    .where('project_id', '=', projectId)
    .orderBy('hour_start_utc')
    .orderBy('agent_id')
    .orderBy('model')
    .orderBy('story_id')
    .orderBy('currency')
    .execute();
  return normalise(rows);
}

async function projectRollupRows(projectId: string) {
  const rows = await t.server.core.db.read
    .selectFrom('cost_rollup_project_hourly')
    .select(['hour_start_utc', 'currency', 'amount_sum', 'event_count', 'unpriced_count'])
    .where('project_id', '=', projectId)
    .orderBy('hour_start_utc')
    .orderBy('currency')
    .execute();
  return normalise(rows);
}

/** The per-project rollup must be the full rollup summed over agent, model and story. */
async function projectRollupFromFull(projectId: string) {
  const rows = await t.server.core.db.read
    .selectFrom('cost_rollup_hourly')
    .select((eb) => [
      'hour_start_utc',
      'currency',
      eb.fn.sum<number>('amount_sum').as('amount_sum'),
      eb.fn.sum<number>('event_count').as('event_count'),
      eb.fn.sum<number>('unpriced_count').as('unpriced_count'),
    ])
    .where('project_id', '=', projectId)
    .groupBy(['hour_start_utc', 'currency'])
    .orderBy('hour_start_utc')
    .orderBy('currency')
    .execute();
  return normalise(rows);
}

async function dailyRollupRows(projectId: string) {
  const rows = await t.server.core.db.read
    .selectFrom('cost_rollup_project_daily')
    .select(['day_start_utc', 'currency', 'amount_sum', 'event_count', 'unpriced_count'])
    .where('project_id', '=', projectId)
    .orderBy('day_start_utc')
    .orderBy('currency')
    .execute();
  return normalise(rows);
}

/** The daily rollup must be the per-project hourly one summed per UTC day. */
async function dailyFromHourly(projectId: string) {
  const rows = await t.server.core.db.read
    .selectFrom('cost_rollup_project_hourly')
    .select((eb) => [
      sql<string>`substr(hour_start_utc, 1, 10) || 'T00:00:00.000Z'`.as('day_start_utc'),
      'currency',
      eb.fn.sum<number>('amount_sum').as('amount_sum'),
      eb.fn.sum<number>('event_count').as('event_count'),
      eb.fn.sum<number>('unpriced_count').as('unpriced_count'),
    ])
    .where('project_id', '=', projectId)
    .groupBy([sql`substr(hour_start_utc, 1, 10)`, 'currency'])
    .orderBy('day_start_utc')
    .orderBy('currency')
    .execute();
  return normalise(rows);
}

/** Story cost to date (stories are shared by every run here, so all of them) must be the full rollup per story. */
async function storyTotals() {
  const rows = await t.server.core.db.read
    .selectFrom('story_cost_totals')
    .select(['story_id', 'currency', 'amount_sum', 'event_count', 'unpriced_count'])
    .orderBy('story_id')
    .orderBy('currency')
    .execute();
  return normalise(rows);
}

async function storyTotalsFromFull() {
  const rows = await t.server.core.db.read
    .selectFrom('cost_rollup_hourly')
    .select((eb) => [
      'story_id',
      'currency',
      eb.fn.sum<number>('amount_sum').as('amount_sum'),
      eb.fn.sum<number>('event_count').as('event_count'),
      eb.fn.sum<number>('unpriced_count').as('unpriced_count'),
    ])
    .where('story_id', '!=', '')
    .groupBy(['story_id', 'currency'])
    .orderBy('story_id')
    .orderBy('currency')
    .execute();
  return normalise(rows);
}

/** The rollup rows of a project recomputed from its cost rows. */
async function recomputedRollup(projectId: string) {
  const rows = await t.server.core.db.read
    .selectFrom('cost_events')
    .select(['occurred_at_utc', 'agent_id', 'model', 'story_id', 'currency', 'cost_amount'])
    .where('project_id', '=', projectId)
    .execute();
  const byKey = new Map<
    string,
    {
      hour_start_utc: string;
      agent_id: string;
      model: string;
      story_id: string;
      currency: string;
      amount_sum: number;
      event_count: number;
      unpriced_count: number;
    }
  >();
  for (const r of rows) {
    const key = {
      hour_start_utc: `${r.occurred_at_utc.slice(0, 13)}:00:00.000Z`,
      agent_id: r.agent_id ?? '',
      model: r.model ?? '',
      story_id: r.story_id ?? '',
      currency: r.currency ?? '',
    };
    const k = Object.values(key).join('\n');
    const row = byKey.get(k) ?? { ...key, amount_sum: 0, event_count: 0, unpriced_count: 0 };
    row.event_count++;
    if (r.cost_amount === null) row.unpriced_count++;
    else row.amount_sum += r.cost_amount;
    byKey.set(k, row);
  }
  const sorted = [...byKey.values()].sort((a, b) => (Object.values(a).slice(0, 5).join('\n') < Object.values(b).slice(0, 5).join('\n') ? -1 : 1));
  return normalise(sorted);
}

async function compare(summaryQuery: CostSummaryQuery, tsQuery: CostTimeseriesQuery) {
  const qs = new URLSearchParams(Object.entries(summaryQuery).filter(([, v]) => v !== undefined) as [string, string][]).toString();
  const res = await t.get(`/api/v1/costs/summary?${qs}`);
  expect(res.status).toBe(200);
  const viaRollup = costSummarySchema.parse(await res.json());
  expect(normalise(viaRollup)).toEqual(normalise(await raw.summary(summaryQuery)));
  const tsQs = new URLSearchParams(Object.entries(tsQuery).filter(([, v]) => v !== undefined) as [string, string][]).toString();
  const tsRes = await t.get(`/api/v1/costs/timeseries?${tsQs}`);
  expect(tsRes.status).toBe(200);
  expect(normalise(costTimeseriesSchema.parse(await tsRes.json()))).toEqual(normalise(await raw.timeseries(tsQuery)));
  return viaRollup;
}

describe('costs: rollup-backed answers equal a raw recomputation', () => {
  it('holds for random events, unaligned windows, zones, groupings, budgets and arrival orders', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(cost, { minLength: 0, maxLength: 30 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 30, maxLength: 30 }),
        second,
        second,
        second,
        fc.constantFrom('hour', 'day'),
        // Kolkata (+05:30), Kathmandu (+05:45) and St John's (-03:30/-02:30) start their days inside a UTC hour.
        fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns', 'Australia/Lord_Howe'),
        fc.constantFrom('project', 'agent', 'model', 'story', 'workflow', 'epic'),
        fc.constantFrom('24h', '7d', '30d', 'custom'),
        fc.option(fc.integer({ min: 1, max: 20_000 }).map((c) => c / 100)),
        async (costs, batchOf, a, b, nowAt, bucket, tz, groupBy, window, budget) => {
          fc.pre(a !== b);
          const projectA = `roll-${++run}-a`;
          const projectB = `roll-${run}-b`;
          // A: one batch in generated order. B: the same costs shuffled (reversed) across up to three batches.
          if (costs.length > 0) {
            await ingestAccepted(t, [projectUpserted(projectA), ...costs.map((c) => toEvent(c, projectA))]);
            const batches: ReturnType<typeof toEvent>[][] = [[], [], []];
            [...costs].reverse().forEach((c, i) => batches[batchOf[i]!]!.push(toEvent(c, projectB)));
            for (const batch of batches) if (batch.length > 0) await ingestAccepted(t, batch);
          } else {
            await ingestAccepted(t, [projectUpserted(projectA)]);
          }
          if (budget !== null) {
            const setBudget = {
              id: `budget-${run}`,
              source: 'test',
              type: 'project.budget_set',
              occurredAt: iso(0),
              entity: { type: 'project', id: projectA },
              payload: { amount: budget, currency: 'USD' },
            };
            await serverIngest(t, [setBudget]);
          }

          // The rollup is the GROUP BY of cost_events, whatever the order and batching.
          const rows = await rollupRows(projectA);
          expect(rows).toEqual(await recomputedRollup(projectA));
          expect(await rollupRows(projectB)).toEqual(rows);
          expect(await projectRollupRows(projectA)).toEqual(await projectRollupFromFull(projectA));
          expect(await dailyRollupRows(projectA)).toEqual(await dailyFromHourly(projectA));
          expect(await storyTotals()).toEqual(await storyTotalsFromFull());

          clock.set(new Date(BASE + nowAt * 1000 + 123));
          const [start, end] = a < b ? [iso(a), iso(b)] : [iso(b), iso(a)];
          const summaryQuery: CostSummaryQuery =
            window === 'custom' ? { window, start, end, projectId: projectA, groupBy } : { window, projectId: projectA, groupBy };
          const s = await compare(summaryQuery, { bucket, tz, start, end, projectId: projectA });
          expect(s.budgets).toHaveLength(budget === null ? 0 : 1);

          // And the direct amounts add up to what was sent (token prices come from the table, checked above via raw).
          if (window === 'custom') {
            const inRange = costs.filter((c) => iso(c.at) >= start && iso(c.at) < end);
            const eur = inRange.filter((c) => c.kind === 'EUR').reduce((acc, c) => acc + c.amount, 0);
            expect(s.totals.find((x) => x.currency === 'EUR')?.amount ?? 0).toBeCloseTo(eur, 6);
            expect(s.unpricedEvents).toBe(inRange.filter((c) => c.kind === 'unknown-model').length);
          }
        },
      ),
      { numRuns: 80 },
    );
  }, 180_000);

  it('every project at once (no projectId), including the rows of the runs above', async () => {
    clock.set(new Date(BASE + 5.5 * 24 * 3600_000 + 1234));
    await compare({ window: '7d', groupBy: 'agent' }, { bucket: 'day', tz: 'Asia/Kolkata', start: iso(1), end: iso(SPAN_S - 7) });
    await compare(
      { window: 'custom', start: iso(3599), end: iso(SPAN_S - 3601), groupBy: 'model' },
      { bucket: 'hour', tz: 'Europe/Berlin', start: iso(3599), end: iso(SPAN_S - 3601) },
    );
  });

  it('a breakdown read again after a late cost lands in a past day includes it (the whole-day parts are not stale)', async () => {
    clock.set(new Date(BASE + 10.5 * 24 * 3600_000));
    const q: CostSummaryQuery = { window: '7d', groupBy: 'story' };
    const series: CostTimeseriesQuery = { bucket: 'day', tz: 'Asia/Kathmandu', start: iso(3 * 86_400), end: iso(10 * 86_400 + 1800) };
    const before = await compare(q, series);
    // Five days back: inside the window's whole UTC days, which the reader may have kept from the first answer.
    await ingestAccepted(t, [
      costRecorded(
        'late',
        { projectId: 'late-p', storyId: 's-late', workflow: 'dev-story', model: 'claude-haiku-4-5', amount: 7.25, currency: 'USD' },
        { occurredAt: iso(5.5 * 86_400) },
      ),
    ]);
    const after = await compare(q, series);
    expect(after.breakdown.find((b) => b.key === 's-late')?.totals).toMatchObject([{ currency: 'USD', amount: 7.25 }]);
    const usd = (s: typeof before) => s.totals.find((x) => x.currency === 'USD')?.amount ?? 0;
    expect(usd(after) - usd(before)).toBeCloseTo(7.25, 6);
  });
});

describe('costs: reprice rebuilds the rollup hours it changes', () => {
  const dir = tempDir('bmad-ops-rollup-reprice-');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('after re-costing, the rollup equals the GROUP BY of cost_events and the answers equal the raw ones', async () => {
    const price = (input: number) => ({ prices: [{ effectiveFrom: '2026-01-01', input, output: 0, cacheWrite: 0, cacheRead: 0 }] });
    const v1 = path.join(dir, 'v1.json');
    const v2 = path.join(dir, 'v2.json');
    fs.writeFileSync(v1, JSON.stringify({ version: 'v1', currency: 'USD', models: { 'claude-test-1': price(1) } }));
    fs.writeFileSync(v2, JSON.stringify({ version: 'v2', currency: 'EUR', models: { 'claude-test-1': price(3), 'mystery-2': price(0.5) } }));
    const local = await startTestServer({ clock, config: { pricing: { file: v1 } } });
    try {
      const tokens = { input: 1_000_000 };
      await ingestAccepted(local, [
        costRecorded(
          'r-1',
          { projectId: 'rp', amount: undefined, currency: undefined, model: 'claude-test-1', tokens },
          { occurredAt: '2026-10-25T10:15:00.000Z' },
        ),
        costRecorded(
          'r-2',
          { projectId: 'rp', amount: undefined, currency: undefined, model: 'mystery-2', tokens },
          { occurredAt: '2026-10-25T10:45:00.000Z' },
        ),
        costRecorded('r-3', { projectId: 'rp', amount: 9, currency: 'USD', model: 'claude-test-1' }, { occurredAt: '2026-10-25T10:50:00.000Z' }),
        costRecorded(
          'r-4',
          { projectId: 'rp', amount: undefined, currency: undefined, model: 'claude-test-1', tokens },
          { occurredAt: '2026-10-26T03:00:00.000Z' },
        ),
      ]);
      const rollup = () =>
        local.server.core.db.read
          .selectFrom('cost_rollup_hourly')
          .select(['hour_start_utc', 'model', 'currency', 'amount_sum', 'event_count', 'unpriced_count'])
          .orderBy('hour_start_utc')
          .orderBy('model')
          .orderBy('currency')
          .execute();
      // v1: r-1 1 USD + r-3 9 USD in the 10:00 hour, r-2 unpriced; r-4 1 USD at 03:00 the next day.
      const h10 = '2026-10-25T10:00:00.000Z';
      const h03 = '2026-10-26T03:00:00.000Z';
      expect(await rollup()).toEqual([
        { hour_start_utc: h10, model: 'claude-test-1', currency: 'USD', amount_sum: 10, event_count: 2, unpriced_count: 0 },
        { hour_start_utc: h10, model: 'mystery-2', currency: '', amount_sum: 0, event_count: 1, unpriced_count: 1 },
        { hour_start_utc: h03, model: 'claude-test-1', currency: 'USD', amount_sum: 1, event_count: 1, unpriced_count: 0 },
      ]);
      expect(await repriceCosts(local.server.core.db, loadPricingTable(v2))).toMatchObject({ changed: 3 });
      // v2 (EUR): r-1 3 EUR, r-2 0.5 EUR, r-4 3 EUR; r-3 keeps its own 9 USD.
      expect(await rollup()).toEqual([
        { hour_start_utc: h10, model: 'claude-test-1', currency: 'EUR', amount_sum: 3, event_count: 1, unpriced_count: 0 },
        { hour_start_utc: h10, model: 'claude-test-1', currency: 'USD', amount_sum: 9, event_count: 1, unpriced_count: 0 },
        { hour_start_utc: h10, model: 'mystery-2', currency: 'EUR', amount_sum: 0.5, event_count: 1, unpriced_count: 0 },
        { hour_start_utc: h03, model: 'claude-test-1', currency: 'EUR', amount_sum: 3, event_count: 1, unpriced_count: 0 },
      ]);
      const daily = await local.server.core.db.read
        .selectFrom('cost_rollup_project_daily')
        .select(['day_start_utc', 'currency', 'amount_sum', 'event_count'])
        .orderBy('day_start_utc')
        .orderBy('currency')
        .execute();
      expect(daily).toEqual([
        { day_start_utc: '2026-10-25T00:00:00.000Z', currency: 'EUR', amount_sum: 3.5, event_count: 2 },
        { day_start_utc: '2026-10-25T00:00:00.000Z', currency: 'USD', amount_sum: 9, event_count: 1 },
        { day_start_utc: '2026-10-26T00:00:00.000Z', currency: 'EUR', amount_sum: 3, event_count: 1 },
      ]);
      const rawLocal = new CostsService(local.server.core.db, clock, { defaultCurrency: 'USD', rollup: false });
      const rolled = new CostsService(local.server.core.db, clock, { defaultCurrency: 'USD' });
      const q: CostSummaryQuery = { window: 'custom', start: '2026-10-25T09:59:00.000Z', end: '2026-10-26T03:30:00.000Z', groupBy: 'model' };
      const days: CostSummaryQuery = { window: 'custom', start: '2026-10-24T23:59:59.000Z', end: '2026-10-27T00:00:01.000Z', groupBy: 'project' };
      expect(await rolled.summary(days)).toEqual(await rawLocal.summary(days));
      expect(await rolled.summary(q)).toEqual(await rawLocal.summary(q));
      expect((await rolled.summary(q)).totals).toEqual([
        { currency: 'EUR', amount: 6.5, events: 3 },
        { currency: 'USD', amount: 9, events: 1 },
      ]);
    } finally {
      await local.close();
    }
  });
});
