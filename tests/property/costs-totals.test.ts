import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costSummarySchema, costTimeseriesSchema, type CostTotal } from '../../src/contracts/index.js';
import { fixedClock } from '../../src/server/clock.js';
import { costRecorded } from '../support/events.js';
import { ingestAccepted } from '../support/ingest.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const BASE = Date.UTC(2026, 9, 23); // 2026-10-23: the range spans the Europe/Berlin and New York DST ends
const SPAN_MIN = 12 * 24 * 60;
const minute = fc.integer({ min: 0, max: SPAN_MIN });
const iso = (m: number) => new Date(BASE + m * 60_000).toISOString();

const cost = fc.record({
  at: minute,
  seconds: fc.integer({ min: 0, max: 59 }),
  kind: fc.constantFrom('USD', 'EUR', 'tokens', 'unknown-model'),
  amount: fc.integer({ min: 0, max: 100_000 }).map((c) => c / 100),
  agentId: fc.constantFrom('dev', 'qa', undefined),
  model: fc.constantFrom('claude-haiku-4-5', 'claude-opus-4-1-20250805'),
  tokens: fc.integer({ min: 0, max: 3_000_000 }),
});

let t: TestServer;
let run = 0;
beforeAll(async () => {
  t = await startTestServer({ clock: fixedClock(new Date('2026-11-29T12:00:00.000Z')) });
});
afterAll(() => t.close());

const sumOf = (totals: readonly CostTotal[], currency: string) => totals.find((x) => x.currency === currency)?.amount ?? 0;

describe('costs: summary total = sum of timeseries buckets = sum of breakdown', () => {
  it('holds for random event sets, ranges, buckets, zones and groupings', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(cost, { minLength: 0, maxLength: 25 }),
        minute,
        minute,
        fc.constantFrom('hour', 'day'),
        fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata'),
        fc.constantFrom('project', 'agent', 'model', 'story'),
        async (costs, a, b, bucket, tz, groupBy) => {
          fc.pre(a !== b);
          // Each run gets its own project, so runs never see each other's rows.
          const projectId = `prop-${++run}`;
          if (costs.length > 0) {
            await ingestAccepted(
              t,
              costs.map((c) => {
                const occurredAt = new Date(BASE + c.at * 60_000 + c.seconds * 1000).toISOString();
                const common = { projectId, agentId: c.agentId, storyId: c.agentId ? `s-${c.agentId}` : undefined };
                if (c.kind === 'USD' || c.kind === 'EUR') return costRecorded(`c-${run}`, { ...common, amount: c.amount, currency: c.kind }, { occurredAt });
                const model = c.kind === 'tokens' ? c.model : 'unknown-model';
                return costRecorded(
                  `c-${run}`,
                  { ...common, amount: undefined, currency: undefined, model, tokens: { input: c.tokens, output: c.tokens >> 3 } },
                  { occurredAt },
                );
              }),
            );
          }
          const [start, end] = a < b ? [iso(a), iso(b)] : [iso(b), iso(a)];
          const range = `start=${start}&end=${end}&projectId=${projectId}`;
          const s = costSummarySchema.parse(await (await t.get(`/api/v1/costs/summary?window=custom&groupBy=${groupBy}&${range}`)).json());
          const ts = costTimeseriesSchema.parse(await (await t.get(`/api/v1/costs/timeseries?bucket=${bucket}&tz=${encodeURIComponent(tz)}&${range}`)).json());

          // Buckets tile the range exactly.
          const buckets = ts.series[0]!.buckets;
          expect(buckets[0]!.start).toBe(start);
          expect(buckets.at(-1)!.end).toBe(end);
          for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.start).toBe(buckets[i - 1]!.end);

          const currencies = new Set([...s.totals.map((x) => x.currency), ...ts.series.map((x) => x.currency)]);
          for (const currency of currencies) {
            const total = sumOf(s.totals, currency);
            const series = ts.series.find((x) => x.currency === currency)?.buckets ?? [];
            const bucketSum = series.reduce((acc, x) => acc + (x.status === 'available' ? x.amount : 0), 0);
            const breakdownSum = s.breakdown.reduce((acc, g) => acc + sumOf(g.totals, currency), 0);
            expect(bucketSum).toBeCloseTo(total, 6);
            expect(breakdownSum).toBeCloseTo(total, 6);
          }
          // Unpriced records are counted the same way everywhere.
          expect(buckets.reduce((acc, x) => acc + x.unpricedEvents, 0)).toBe(s.unpricedEvents);
          expect(s.breakdown.reduce((acc, g) => acc + g.unpricedEvents, 0)).toBe(s.unpricedEvents);

          // And both equal a sum computed here from the events themselves (only token-priced ones via the table).
          const inRange = costs.filter((c) => {
            const ms = BASE + c.at * 60_000 + c.seconds * 1000;
            return ms >= Date.parse(start) && ms < Date.parse(end);
          });
          const eur = inRange.filter((c) => c.kind === 'EUR').reduce((acc, c) => acc + c.amount, 0);
          expect(sumOf(s.totals, 'EUR')).toBeCloseTo(eur, 6);
          expect(s.unpricedEvents).toBe(inRange.filter((c) => c.kind === 'unknown-model').length);
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);
});
