import fs from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { configSchema } from '../../src/server/config.js';
import { fixedClock } from '../../src/server/clock.js';
import { createCore, type Core } from '../../src/server/core.js';
import { createLogger } from '../../src/server/observability/logger.js';
import { costRecorded } from '../support/events.js';
import { tempDir } from '../support/test-server.js';

// The rollup sums a batch's cost records per agent and bucket before it writes them. Within a batch, each stored sum
// must still be the records' amounts added one by one in event order, bit for bit, as when every record was added to
// its metric directly: grouping them another way (a day as the sum of its hours) changes the last digits. Across
// batches the database adds the batches' sums, so the test keeps to one batch (the rollup's first is 400 events).
const clock = fixedClock(new Date('2026-12-02T12:00:00.000Z'));
const cores: Core[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const c of cores) await c.close();
  dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

let rng = 7;
const rand = () => (rng = (rng * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;

it('stores each agent, currency and bucket sum as the records added in event order, across hours, days and currencies', async () => {
  const dataDir = tempDir('bmad-ops-cost-fold-');
  dirs.push(dataDir);
  const core = await createCore(configSchema.parse({ dataDir, logLevel: 'silent', analytics: { rollupThread: 'main' } }), {
    clock,
    logger: createLogger('silent'),
  });
  cores.push(core);

  // 300 records over three hours that straddle midnight, two agents, two currencies, amounts with long fractions (so
  // the order of additions shows in the result), some without tokens and some without an agent.
  const start = Date.parse('2026-11-30T22:30:00.000Z');
  const records = Array.from({ length: 300 }, (_, i) => {
    const agentId = i % 37 === 0 ? undefined : rand() < 0.5 ? 'agent-a' : 'agent-b';
    const currency = rand() < 0.3 ? 'EUR' : 'USD';
    const amount = Math.round(rand() * 1e9) / 1e7 + 0.1;
    const tokens = rand() < 0.25 ? undefined : { input: Math.floor(rand() * 50_000), output: Math.floor(rand() * 8000) };
    const occurredAt = new Date(start + Math.floor(rand() * 3 * 3_600_000)).toISOString();
    return { agentId, currency, amount, tokens, occurredAt };
  });
  const accepted = await core.ingestion.ingest(
    records.map((r, i) =>
      costRecorded(`fold-${i}`, { agentId: r.agentId, currency: r.currency, amount: r.amount, tokens: r.tokens }, { occurredAt: r.occurredAt }),
    ),
  );
  expect(accepted.accepted).toBe(300);
  await core.rollup.drain();

  const expected = new Map<string, number>();
  const add = (key: string, v: number) => expected.set(key, (expected.get(key) ?? 0) + v);
  for (const r of records) {
    if (r.agentId === undefined) continue;
    for (const [g, windowStart] of [
      ['hour', `${r.occurredAt.slice(0, 13)}:00:00.000Z`],
      ['day', `${r.occurredAt.slice(0, 10)}T00:00:00.000Z`],
    ] as const) {
      add(`${r.agentId}|cost|${r.currency}|${g}|${windowStart}`, r.amount);
      if (r.tokens) add(`${r.agentId}|tokens|tokens|${g}|${windowStart}`, r.tokens.input + r.tokens.output);
    }
  }
  const rows = await core.db.read
    .selectFrom('agent_metrics')
    .select(['agent_id', 'kpi_key', 'unit', 'granularity', 'window_start_utc', 'num', 'kpi_value'])
    .where('kpi_key', 'in', ['cost', 'tokens'])
    .execute();
  const stored = new Map(rows.map((r) => [`${r.agent_id}|${r.kpi_key}|${r.unit}|${r.granularity}|${r.window_start_utc}`, r]));
  // Four hours and two days (the 1st begins with the 00:00 hour), two agents, two currencies: every bucket, no other.
  expect(new Set(rows.map((r) => `${r.granularity} ${r.window_start_utc}`)).size).toBe(6);
  expect([...stored.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [key, sum] of expected) {
    expect(stored.get(key)!.num, key).toBe(sum);
    expect(stored.get(key)!.kpi_value, key).toBe(sum);
  }
});
