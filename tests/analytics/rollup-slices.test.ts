import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/server/config.js';
import { fixedClock } from '../../src/server/clock.js';
import { createCore, type Core } from '../../src/server/core.js';
import { AgentRollupJob } from '../../src/server/modules/analytics/rollup.job.js';
import { createLogger } from '../../src/server/observability/logger.js';
import { costRecorded } from '../support/events.js';
import { tempDir } from '../support/test-server.js';

// The rollup folds in slices so an ingest never waits long behind it. While nobody waits for the write lock it may
// fold three times as much per transaction (a catch-up after an import goes faster); once someone does, it is back
// to the configured batch at once.
const clock = fixedClock(new Date('2026-12-01T12:00:00.000Z'));
const cores: Core[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const c of cores) await c.close();
  dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

async function loaded(events: number): Promise<Core> {
  const dataDir = tempDir('bmad-ops-slices-');
  dirs.push(dataDir);
  const core = await createCore(configSchema.parse({ dataDir, logLevel: 'silent', analytics: { rollupThread: 'main' } }), {
    clock,
    logger: createLogger('silent'),
  });
  cores.push(core);
  const batch = Array.from({ length: events }, (_, i) =>
    costRecorded(
      `c-${i}`,
      { projectId: 'p-1', agentId: `agent-${i % 4}`, amount: 0.01 },
      { occurredAt: new Date(Date.parse('2026-12-01T10:00:00.000Z') + i * 1000).toISOString() },
    ),
  );
  expect((await core.ingestion.ingest(batch)).accepted).toBe(events);
  return core;
}

/** How many events each transaction folded until the log was caught up with. */
async function slices(core: Core, othersWaiting: () => boolean): Promise<number[]> {
  const job = new AgentRollupJob(core.db, clock, createLogger('silent'), {
    batchSize: 100,
    // Long enough that no transaction here takes more than a fraction of it: only the cap decides.
    sliceMs: 60_000,
    pollIntervalMs: 1000,
    minIntervalMs: 0,
    outliers: { threshold: 3.5, minPeers: 3, minHistory: 3, historyDays: 14 },
    transaction: { maxRetries: 3, retryDelayMs: 10 },
    othersWaiting,
  });
  const out: number[] = [];
  for (let read = await job.runBatch(); read > 0; read = await job.runBatch()) out.push(read);
  return out;
}

describe('rollup slices', () => {
  it('grow to three times the batch while no other writer waits, and keep to it while one does', async () => {
    expect(Math.max(...(await slices(await loaded(1_500), () => false)))).toBe(300);
    expect(Math.max(...(await slices(await loaded(1_500), () => true)))).toBe(100);
  });

  it('fall back to the batch at once when a writer starts waiting during a long slice', async () => {
    let n = 0;
    const sizes = await slices(await loaded(1_500), () => ++n > 3); // someone waits from the fourth transaction on
    expect(sizes.slice(0, 3)).toEqual([100, 200, 300]);
    expect(Math.max(...sizes.slice(4))).toBeLessThanOrEqual(100);
  });
});
