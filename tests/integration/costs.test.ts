import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costSummarySchema, costTimeseriesSchema, errorBodySchema } from '../../src/contracts/index.js';
import { fixedClock } from '../../src/server/clock.js';
import { loadConfig } from '../../src/server/config.js';
import { repriceCosts } from '../../src/server/modules/costs/reprice.js';
import { loadPricingTable } from '../../src/server/pricing/pricing-table.js';
import { costRecorded, syncReported } from '../support/events.js';
import { ingestAccepted } from '../support/ingest.js';
import { startTestServer, tempDir, type TestServer } from '../support/test-server.js';

const clock = fixedClock(new Date('2026-11-29T12:00:00.000Z'));
const tokensOnly = { amount: undefined, currency: undefined };

async function summary(t: TestServer, qs: string) {
  const res = await t.get(`/api/v1/costs/summary?${qs}`);
  const raw: unknown = await res.json();
  expect(res.status, JSON.stringify(raw)).toBe(200);
  return costSummarySchema.parse(raw);
}

async function timeseries(t: TestServer, qs: string) {
  const res = await t.get(`/api/v1/costs/timeseries?${qs}`);
  const raw: unknown = await res.json();
  expect(res.status, JSON.stringify(raw)).toBe(200);
  return costTimeseriesSchema.parse(raw);
}

async function expect422(t: TestServer, url: string, field: string) {
  const res = await t.get(url);
  expect(res.status, url).toBe(422);
  const body = errorBodySchema.parse(await res.json());
  expect(
    body.error.fields?.map((f) => f.path),
    url,
  ).toContain(field);
}

describe('costs: summary, breakdown, comparison, timeseries (hand-computed fixture)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ clock });
    await ingestAccepted(t, [
      costRecorded('c-a', { projectId: 'p-1', agentId: 'dev', amount: 1.25 }, { occurredAt: '2026-11-29T08:00:00.000Z' }),
      costRecorded('c-b', { projectId: 'p-1', agentId: 'qa', amount: 2.5 }, { occurredAt: '2026-11-29T09:30:00.000Z' }),
      costRecorded('c-c', { projectId: 'p-2', agentId: 'dev', amount: 3, currency: 'EUR' }, { occurredAt: '2026-11-29T10:00:00.000Z' }),
      // Priced from pricing/claude.json (sonnet 4.5: 3 / 15 / 3.75 / 0.30 USD per MTok):
      // 1.0 M input * 3 + 0.2 M output * 15 + 0.1 M cacheWrite * 3.75 + 2.0 M cacheRead * 0.30 = 3 + 3 + 0.375 + 0.6 = 6.975 USD
      costRecorded(
        'c-d',
        {
          ...tokensOnly,
          projectId: 'p-2',
          model: 'claude-3-7-sonnet-20250219',
          tokens: { input: 1_000_000, output: 200_000, cacheWrite: 100_000, cacheRead: 2_000_000 },
        },
        { occurredAt: '2026-11-29T11:00:00.000Z' },
      ),
      // Unknown model: stays unpriced (null), never 0.
      costRecorded('c-e', { ...tokensOnly, projectId: 'p-1', model: 'gpt-unknown', tokens: { input: 1000 } }, { occurredAt: '2026-11-29T11:30:00.000Z' }),
      // The previous 24 h window.
      costRecorded('c-f', { projectId: 'p-1', agentId: 'dev', amount: 4 }, { occurredAt: '2026-11-28T10:00:00.000Z' }),
      // Before both windows.
      costRecorded('c-g', { projectId: 'p-1', amount: 100 }, { occurredAt: '2026-11-20T10:00:00.000Z' }),
    ]);
  });
  afterAll(() => t.close());

  it('records the price version for token-priced rows, null for rows with their own amount, null amount for unknown models', async () => {
    const rows = await t.server.core.db.read
      .selectFrom('cost_events')
      .select(['model', 'cost_amount', 'currency', 'price_version'])
      .orderBy('occurred_at_utc')
      .execute();
    expect(rows.find((r) => r.model === 'claude-3-7-sonnet-20250219')).toEqual({
      model: 'claude-3-7-sonnet-20250219',
      cost_amount: 6.975,
      currency: 'USD',
      price_version: '2026-12-04.1/claude-3-7-sonnet@2025-02-24',
    });
    expect(rows.find((r) => r.model === 'gpt-unknown')).toEqual({ model: 'gpt-unknown', cost_amount: null, currency: null, price_version: null });
    expect(rows.filter((r) => r.model === null).every((r) => r.price_version === null && r.cost_amount !== null)).toBe(true);
  });

  it('24h window: totals per currency, unpriced count, previous window and comparison', async () => {
    const s = await summary(t, 'window=24h');
    expect(s.start).toBe('2026-11-28T12:00:00.000Z');
    expect(s.end).toBe('2026-11-29T12:00:00.000Z');
    expect(s.availability).toBe('available');
    expect(s.reason).toBeNull();
    // USD: 1.25 + 2.50 + 6.975 = 10.725 (3 events); EUR: 3.00 (1); unpriced: c-e.
    expect(s.totals).toEqual([
      { currency: 'EUR', amount: 3, events: 1 },
      { currency: 'USD', amount: 10.725, events: 3 },
    ]);
    expect(s.unpricedEvents).toBe(1);
    // Previous: [2026-11-27T12:00Z, 2026-11-28T12:00Z) holds c-f only.
    expect(s.previous).toMatchObject({ start: '2026-11-27T12:00:00.000Z', end: '2026-11-28T12:00:00.000Z', availability: 'available' });
    expect(s.previous.totals).toEqual([{ currency: 'USD', amount: 4, events: 1 }]);
    // USD: 10.725 - 4 = 6.725, 6.725 / 4 = 168.125 %; EUR: nothing before, no percentage.
    expect(s.comparison).toEqual([
      { currency: 'EUR', current: 3, previous: 0, change: 3, changePct: null },
      { currency: 'USD', current: 10.725, previous: 4, change: 6.725, changePct: 168.125 },
    ]);
  });

  it('breaks down by project, agent and model', async () => {
    expect((await summary(t, 'window=24h&groupBy=project')).breakdown).toEqual([
      // p-1: 1.25 + 2.50 = 3.75 USD, c-e unpriced; p-2: 3 EUR, 6.975 USD.
      { key: 'p-1', label: null, totals: [{ currency: 'USD', amount: 3.75, events: 2 }], unpricedEvents: 1 },
      {
        key: 'p-2',
        label: null,
        totals: [
          { currency: 'EUR', amount: 3, events: 1 },
          { currency: 'USD', amount: 6.975, events: 1 },
        ],
        unpricedEvents: 0,
      },
    ]);
    expect((await summary(t, 'window=24h&groupBy=agent')).breakdown).toEqual([
      {
        key: 'dev',
        label: null,
        totals: [
          { currency: 'EUR', amount: 3, events: 1 },
          { currency: 'USD', amount: 1.25, events: 1 },
        ],
        unpricedEvents: 0,
      },
      { key: 'qa', label: null, totals: [{ currency: 'USD', amount: 2.5, events: 1 }], unpricedEvents: 0 },
      { key: null, label: null, totals: [{ currency: 'USD', amount: 6.975, events: 1 }], unpricedEvents: 1 },
    ]);
    const byModel = (await summary(t, 'window=24h&groupBy=model')).breakdown;
    expect(byModel.find((b) => b.key === 'gpt-unknown')).toEqual({ key: 'gpt-unknown', label: null, totals: [], unpricedEvents: 1 });
    expect(byModel.find((b) => b.key === 'claude-3-7-sonnet-20250219')?.totals).toEqual([{ currency: 'USD', amount: 6.975, events: 1 }]);
  });

  it('filters by project and supports custom windows', async () => {
    const p1 = await summary(t, 'window=24h&projectId=p-1');
    expect(p1.totals).toEqual([{ currency: 'USD', amount: 3.75, events: 2 }]);
    expect(p1.unpricedEvents).toBe(1);
    // Custom [2026-11-20, 2026-11-29T09:00Z): c-g 100 + c-f 4 + c-a 1.25 = 105.25 USD.
    const custom = await summary(t, 'window=custom&start=2026-11-20T00:00:00Z&end=2026-11-29T09:00:00Z');
    expect(custom.totals).toEqual([{ currency: 'USD', amount: 105.25, events: 3 }]);
    // Previous equal window [2026-11-10T15:00Z, 2026-11-20T00:00Z): no rows, but no cost source known before it either.
    expect(custom.previous).toMatchObject({ availability: 'unavailable', reason: 'no_cost_source', totals: [] });
  });

  it('hourly timeseries in UTC: per-currency series, zero only where a source reported, unpriced buckets unavailable', async () => {
    const ts = await timeseries(t, 'bucket=hour&start=2026-11-29T07:00:00Z&end=2026-11-29T12:00:00Z&tz=UTC');
    const usd = ts.series.find((s) => s.currency === 'USD')!.buckets;
    const eur = ts.series.find((s) => s.currency === 'EUR')!.buckets;
    expect(usd.map((b) => b.start)).toEqual(['07', '08', '09', '10', '11'].map((h) => `2026-11-29T${h}:00:00.000Z`));
    expect(usd.map((b) => (b.status === 'available' ? b.amount : b.reason))).toEqual(['no_cost_source', 1.25, 2.5, 0, 6.975]);
    expect(usd[4]!.unpricedEvents).toBe(1);
    expect(eur.map((b) => (b.status === 'available' ? b.amount : b.reason))).toEqual(['no_cost_source', 0, 0, 3, 'unpriced_events']);
  });

  it('daily timeseries equals the summary of the same range', async () => {
    const ts = await timeseries(t, 'bucket=day&start=2026-11-28T00:00:00Z&end=2026-11-30T00:00:00Z');
    const usd = ts.series.find((s) => s.currency === 'USD')!.buckets;
    // 11-28: c-f 4; 11-29: 10.725.
    expect(usd.map((b) => (b.status === 'available' ? b.amount : null))).toEqual([4, 10.725]);
    const s = await summary(t, 'window=custom&start=2026-11-28T00:00:00Z&end=2026-11-30T00:00:00Z');
    expect(s.totals.find((x) => x.currency === 'USD')?.amount).toBe(14.725);
  });

  it('answers 422 naming the field for every invalid query', async () => {
    const S = '/api/v1/costs/summary?';
    await expect422(t, `${S}window=1y`, 'window');
    await expect422(t, `${S}window=custom&end=2026-11-29T00:00:00Z`, 'start');
    await expect422(t, `${S}window=custom&start=2026-11-29T00:00:00Z`, 'end');
    await expect422(t, `${S}window=custom&start=yesterday&end=2026-11-29T00:00:00Z`, 'start');
    await expect422(t, `${S}window=custom&start=2026-11-29T00:00:00Z&end=2026-11-29T00:00:00Z`, 'end');
    await expect422(t, `${S}window=custom&start=2025-01-01T00:00:00Z&end=2026-11-29T00:00:00Z`, 'end');
    await expect422(t, `${S}window=24h&start=2026-11-29T00:00:00Z`, 'start');
    await expect422(t, `${S}groupBy=team`, 'groupBy');
    const T = '/api/v1/costs/timeseries?';
    await expect422(t, `${T}end=2026-11-29T00:00:00Z`, 'start');
    await expect422(t, `${T}start=2026-11-29T00:00:00Z`, 'end');
    await expect422(t, `${T}start=2026-11-29T00:00:00Z&end=2026-11-28T00:00:00Z`, 'end');
    await expect422(t, `${T}start=2025-01-01T00:00:00Z&end=2026-11-29T00:00:00Z&bucket=day`, 'end');
    await expect422(t, `${T}start=2026-11-28T00:00:00Z&end=2026-11-29T00:00:00Z&tz=Mars/Olympus`, 'tz');
    await expect422(t, `${T}start=2026-11-28T00:00:00Z&end=2026-11-29T00:00:00Z&bucket=week`, 'bucket');
  });
});

describe('costs: availability', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ clock });
  });
  afterAll(() => t.close());

  it('is unavailable with no cost source, and zero only where an ok cost sync covered the bucket', async () => {
    const empty = await summary(t, 'window=24h');
    expect(empty).toMatchObject({ availability: 'unavailable', reason: 'no_cost_source', totals: [], unpricedEvents: 0 });
    const q = 'bucket=hour&start=2026-11-29T08:00:00Z&end=2026-11-29T12:00:00Z';
    expect((await timeseries(t, q)).series).toEqual([{ currency: 'USD', buckets: expect.arrayContaining([]) as unknown }]);
    expect((await timeseries(t, q)).series[0]!.buckets.every((b) => b.status === 'unavailable' && b.reason === 'no_cost_source')).toBe(true);

    // An ok report at 10:30 with a 1 h interval vouches for [09:30, 10:30]: the 09:00 and 10:00 buckets.
    await ingestAccepted(t, [
      syncReported('importer/cost', 'cost', 'ok', { expectedIntervalMs: 3_600_000 }, { occurredAt: '2026-11-29T10:30:00.000Z' }),
      // A failed report vouches for nothing.
      syncReported('other/cost', 'cost', 'failed', {}, { occurredAt: '2026-11-29T11:30:00.000Z' }),
    ]);
    const buckets = (await timeseries(t, q)).series[0]!.buckets;
    expect(buckets.map((b) => (b.status === 'available' ? b.amount : b.reason))).toEqual(['no_cost_source', 0, 0, 'no_cost_source']);
    const s = await summary(t, 'window=24h');
    expect(s).toMatchObject({ availability: 'available', reason: null, totals: [] });
  });

  it('a window holding only unpriced costs is unavailable (unpriced_events), not zero', async () => {
    await ingestAccepted(t, [costRecorded('u-1', { ...tokensOnly, model: 'mystery-1', tokens: { input: 5 } }, { occurredAt: '2026-11-29T11:45:00.000Z' })]);
    const s = await summary(t, 'window=custom&start=2026-11-29T11:00:00Z&end=2026-11-29T12:00:00Z');
    expect(s).toMatchObject({ availability: 'unavailable', reason: 'unpriced_events', totals: [], unpricedEvents: 1 });
  });
});

describe('costs: time zones and DST', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ clock });
    await ingestAccepted(t, [
      // 00:30 CET on 2026-03-29 (Berlin), still 03-28 in UTC.
      costRecorded('d-1', { amount: 1 }, { occurredAt: '2026-03-28T23:30:00.000Z' }),
      // 23:30 CEST on 2026-03-29.
      costRecorded('d-2', { amount: 2 }, { occurredAt: '2026-03-29T21:30:00.000Z' }),
      // 00:00 CEST on 2026-03-30.
      costRecorded('d-3', { amount: 4 }, { occurredAt: '2026-03-29T22:00:00.000Z' }),
    ]);
  });
  afterAll(() => t.close());

  const hours = (b: { start: string; end: string }) => (Date.parse(b.end) - Date.parse(b.start)) / 3_600_000;

  it('Europe/Berlin 2026-03-29 is a 23 h day; amounts fall into the local day', async () => {
    const ts = await timeseries(t, 'bucket=day&tz=Europe/Berlin&start=2026-03-28T23:00:00Z&end=2026-03-30T22:00:00Z');
    const b = ts.series[0]!.buckets;
    expect(b.map((x) => [x.start, hours(x)])).toEqual([
      ['2026-03-28T23:00:00.000Z', 23],
      ['2026-03-29T22:00:00.000Z', 24],
    ]);
    // 03-29 local: d-1 1 + d-2 2 = 3; 03-30 local: d-3 4.
    expect(b.map((x) => (x.status === 'available' ? x.amount : null))).toEqual([3, 4]);
    const utc = await timeseries(t, 'bucket=day&tz=UTC&start=2026-03-28T00:00:00Z&end=2026-03-30T00:00:00Z');
    // In UTC d-1 is on 03-28, d-2 and d-3 on 03-29: 1 and 6.
    expect(utc.series[0]!.buckets.map((x) => (x.status === 'available' ? x.amount : null))).toEqual([1, 6]);
  });

  it('Europe/Berlin 2026-10-25 is a 25 h day with 25 hourly buckets', async () => {
    const day = await timeseries(t, 'bucket=day&tz=Europe/Berlin&start=2026-10-24T22:00:00Z&end=2026-10-26T23:00:00Z');
    expect(day.series[0]!.buckets.map((x) => [x.start, hours(x)])).toEqual([
      ['2026-10-24T22:00:00.000Z', 25],
      ['2026-10-25T23:00:00.000Z', 24],
    ]);
    const hourly = await timeseries(t, 'bucket=hour&tz=Europe/Berlin&start=2026-10-24T22:00:00Z&end=2026-10-25T23:00:00Z');
    expect(hourly.series[0]!.buckets).toHaveLength(25);
    expect(hourly.series[0]!.buckets.every((x) => hours(x) === 1)).toBe(true);
  });

  it('America/New_York: 2026-03-08 is 23 h, 2026-11-01 is 25 h', async () => {
    const spring = await timeseries(t, 'bucket=day&tz=America/New_York&start=2026-03-07T05:00:00Z&end=2026-03-10T04:00:00Z');
    expect(spring.series[0]!.buckets.map((x) => [x.start, hours(x)])).toEqual([
      ['2026-03-07T05:00:00.000Z', 24],
      ['2026-03-08T05:00:00.000Z', 23],
      ['2026-03-09T04:00:00.000Z', 24],
    ]);
    const fall = await timeseries(t, 'bucket=day&tz=America/New_York&start=2026-11-01T04:00:00Z&end=2026-11-03T05:00:00Z');
    expect(fall.series[0]!.buckets.map((x) => [x.start, hours(x)])).toEqual([
      ['2026-11-01T04:00:00.000Z', 25],
      ['2026-11-02T05:00:00.000Z', 24],
    ]);
  });

  it('clips the first and last bucket to the range; half-hour zones bucket on local hours', async () => {
    const ts = await timeseries(t, 'bucket=hour&tz=Asia/Kolkata&start=2026-03-28T23:00:00Z&end=2026-03-29T01:00:00Z');
    // Kolkata is UTC+05:30: local hours start at hh:30Z.
    expect(ts.series[0]!.buckets.map((x) => [x.start, x.end])).toEqual([
      ['2026-03-28T23:00:00.000Z', '2026-03-28T23:30:00.000Z'],
      ['2026-03-28T23:30:00.000Z', '2026-03-29T00:30:00.000Z'],
      ['2026-03-29T00:30:00.000Z', '2026-03-29T01:00:00.000Z'],
    ]);
    expect(ts.series[0]!.buckets.map((x) => (x.status === 'available' ? x.amount : x.reason))).toEqual(['no_cost_source', 1, 'no_cost_source']);
  });
});

describe('costs: pricing table', () => {
  const dir = tempDir('bmad-ops-pricing-');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('switches price on the effective date and records which price was used', async () => {
    const file = path.join(dir, 'pricing.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        version: 't-1',
        currency: 'USD',
        models: {
          'claude-test-1': {
            prices: [
              { effectiveFrom: '2026-06-01', input: 2, output: 0, cacheWrite: 0, cacheRead: 0 },
              { effectiveFrom: '2026-01-01', input: 1, output: 0, cacheWrite: 0, cacheRead: 0 },
            ],
          },
        },
      }),
    );
    const t = await startTestServer({ clock, config: { pricing: { file } } });
    try {
      const tokens = { input: 1_000_000 };
      await ingestAccepted(t, [
        costRecorded('e-0', { ...tokensOnly, model: 'claude-test-1', tokens }, { occurredAt: '2025-12-31T23:59:59.000Z' }),
        costRecorded('e-1', { ...tokensOnly, model: 'claude-test-1', tokens }, { occurredAt: '2026-05-31T23:59:59.000Z' }),
        costRecorded('e-2', { ...tokensOnly, model: 'claude-test-1-20260601', tokens }, { occurredAt: '2026-06-01T00:00:00.000Z' }),
        // Not in the overriding table (the shipped one is replaced, not merged).
        costRecorded('e-3', { ...tokensOnly, model: 'claude-sonnet-4-5', tokens }, { occurredAt: '2026-06-01T00:00:00.000Z' }),
      ]);
      const rows = await t.server.core.db.read.selectFrom('cost_events').select(['cost_amount', 'price_version']).orderBy('source_event_id').execute();
      // 1 M input tokens: before any price -> unknown; 1 USD/MTok until 2026-05-31; 2 USD/MTok from 2026-06-01.
      expect(rows).toEqual([
        { cost_amount: null, price_version: null },
        { cost_amount: 1, price_version: 't-1/claude-test-1@2026-01-01' },
        { cost_amount: 2, price_version: 't-1/claude-test-1@2026-06-01' },
        { cost_amount: null, price_version: null },
      ]);
    } finally {
      await t.close();
    }
  });

  it('reprice re-costs token-priced and unpriced rows with a new table, never rows with their own amount', async () => {
    const price = (input: number) => ({ prices: [{ effectiveFrom: '2026-01-01', input, output: 0, cacheWrite: 0, cacheRead: 0 }] });
    const v1 = path.join(dir, 'v1.json');
    const v2 = path.join(dir, 'v2.json');
    fs.writeFileSync(v1, JSON.stringify({ version: 'v1', currency: 'USD', models: { 'claude-test-1': price(1) } }));
    fs.writeFileSync(v2, JSON.stringify({ version: 'v2', currency: 'USD', models: { 'claude-test-1': price(3), 'mystery-2': price(0.5) } }));
    const t = await startTestServer({ clock, config: { pricing: { file: v1 } } });
    try {
      const tokens = { input: 2_000_000 };
      await ingestAccepted(t, [
        costRecorded('r-1', { ...tokensOnly, model: 'claude-test-1', tokens }, { occurredAt: '2026-03-01T00:00:00.000Z' }),
        costRecorded('r-2', { ...tokensOnly, model: 'mystery-2', tokens }, { occurredAt: '2026-03-01T00:00:00.000Z' }),
        costRecorded('r-3', { amount: 9, currency: 'USD', model: 'claude-test-1', tokens }, { occurredAt: '2026-03-01T00:00:00.000Z' }),
      ]);
      const read = () => t.server.core.db.read.selectFrom('cost_events').select(['cost_amount', 'price_version']).orderBy('source_event_id').execute();
      // v1: 2 MTok * 1 = 2 USD; mystery-2 unknown; r-3 keeps its 9 USD.
      expect(await read()).toEqual([
        { cost_amount: 2, price_version: 'v1/claude-test-1@2026-01-01' },
        { cost_amount: null, price_version: null },
        { cost_amount: 9, price_version: null },
      ]);
      // v2: 2 MTok * 3 = 6 USD; mystery-2 2 MTok * 0.5 = 1 USD.
      expect(await repriceCosts(t.server.core.db, loadPricingTable(v2))).toEqual({ examined: 2, changed: 2, unpriced: 0 });
      expect(await read()).toEqual([
        { cost_amount: 6, price_version: 'v2/claude-test-1@2026-01-01' },
        { cost_amount: 1, price_version: 'v2/mystery-2@2026-01-01' },
        { cost_amount: 9, price_version: null },
      ]);
      // Idempotent.
      expect(await repriceCosts(t.server.core.db, loadPricingTable(v2))).toEqual({ examined: 2, changed: 0, unpriced: 0 });
    } finally {
      await t.close();
    }
  });

  it('a bad pricing file is a startup error naming the file and the field', async () => {
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        version: 'x',
        currency: 'USD',
        models: { 'claude-x': { prices: [{ effectiveFrom: '2026-01-01', input: -1, output: 1, cacheWrite: 1, cacheRead: 1 }] } },
      }),
    );
    await expect(startTestServer({ config: { pricing: { file } } })).rejects.toThrow(/bad\.json[\s\S]*models\.claude-x\.prices\.0\.input/);
    await expect(startTestServer({ config: { pricing: { file: path.join(dir, 'missing.json') } } })).rejects.toThrow(/missing\.json/);
  });

  it('BMAD_OPS_PRICING_FILE overrides the table', () => {
    expect(loadConfig({ BMAD_OPS_PRICING_FILE: '/etc/bmad/pricing.json' }).pricing.file).toBe('/etc/bmad/pricing.json');
  });
});
