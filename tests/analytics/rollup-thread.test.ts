import { afterEach, describe, expect, it } from 'vitest';
import type { AnalyticsUpdatedMessage } from '../../src/contracts/index.js';
import { AgentRollupJob, RollupThread } from '../../src/server/modules/analytics/index.js';
import { workspaceEvents } from '../browser/support/workspace.js';
import { costRecorded } from '../support/events.js';
import { ingestAccepted } from '../support/ingest.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

// On the embedded default the agent-metrics rollup runs on a worker thread with its own connection. It must fold the
// log into exactly the tables the in-process job writes, and hand back what the main thread needs: the pushes, the
// round figures, a drain that waits for the worker, and a clear failure when the worker is gone.
const servers: TestServer[] = [];
afterEach(async () => {
  for (const t of servers.splice(0)) await t.close();
});

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
function fixture() {
  const costs = Array.from({ length: 40 }, (_, i) =>
    costRecorded(
      `c-${i}`,
      { agentId: ['a-dev', 'a-sm', 'a-qa'][i % 3], model: 'claude-sonnet-4-5', amount: 0.25 + i / 100, storyId: i % 2 ? 's-3' : 's-4' },
      { occurredAt: ago(100 - i) },
    ),
  );
  return [...workspaceEvents(), ...costs];
}

async function metrics(t: TestServer) {
  const rows = await t.server.core.db.read
    .selectFrom('agent_metrics')
    .select(['agent_id', 'kpi_key', 'granularity', 'window_start_utc', 'kpi_value', 'num', 'den', 'lineage_ref'])
    .orderBy(['agent_id', 'kpi_key', 'granularity', 'window_start_utc'])
    .execute();
  const facts = await t.server.core.db.read
    .selectFrom('agent_metric_facts')
    .select(['entity_type', 'entity_id', 'agent_id', 'kpi_key', 'occurred_at_utc', 'num', 'den', 'sample'])
    .orderBy(['entity_type', 'entity_id', 'kpi_key', 'occurred_at_utc'])
    .execute();
  return { rows, facts };
}

describe('the analytics rollup on a worker thread', () => {
  it('writes the same metrics and facts as the job on the main thread, and pushes and reports its rounds', async () => {
    const events = fixture();
    const worker = await startTestServer({ config: { analytics: { rollupThread: 'worker' } } });
    const main = await startTestServer({ config: { analytics: { rollupThread: 'main' } } });
    servers.push(worker, main);
    expect(worker.server.core.rollup).toBeInstanceOf(RollupThread);
    expect(main.server.core.rollup).toBeInstanceOf(AgentRollupJob);

    const pushed: AnalyticsUpdatedMessage[] = [];
    const rounds: number[] = [];
    worker.server.core.rollup.onUpdated((m) => pushed.push(m));
    worker.server.core.rollup.onRound((n) => rounds.push(n));
    for (const t of [worker, main]) {
      await ingestAccepted(t, events);
      await t.server.core.rollup.drain();
    }
    const fromWorker = await metrics(worker);
    expect(fromWorker.rows.length).toBeGreaterThan(10);
    expect(fromWorker.facts.length).toBeGreaterThan(5);
    expect(fromWorker).toEqual(await metrics(main));

    const head = Number(
      (
        await worker.server.core.db.read
          .selectFrom('domain_events')
          .select((eb) => eb.fn.max('id').as('id'))
          .executeTakeFirstOrThrow()
      ).id,
    );
    expect(pushed.at(-1)?.throughEventId).toBe(head);
    expect(rounds.reduce((a, b) => a + b, 0)).toBe(head);
  });

  it("never makes the main thread's own writes fail while the worker catches up batch after batch", async () => {
    const t = await startTestServer({ config: { analytics: { rollupBatchSize: 500, rollupThread: 'worker' } } });
    servers.push(t);
    const { core } = t.server;
    await core.rollup.stop();
    const many = Array.from({ length: 30_000 }, (_, i) =>
      costRecorded(`bulk-${i}`, { agentId: `a-${i % 7}`, model: 'claude-sonnet-4-5', amount: 0.01 }, { occurredAt: ago(1 + (i % 1000)) }),
    );
    for (let i = 0; i < many.length; i += 1000) await ingestAccepted(t, many.slice(i, i + 1000));
    core.rollup.start();
    const draining = core.rollup.drain();
    // Direct writes (no retry loop of their own) and ingests, all while the worker folds 30,000 events.
    const actor = { actorType: 'system' as const, actorId: null };
    for (let i = 0; i < 40; i++) {
      await core.auth.createApiKey(`during catch-up ${i}`, ['read'], actor);
      if (i % 10 === 0) await ingestAccepted(t, [costRecorded(`late-${i}`, { agentId: 'a-late', amount: 1 }, { occurredAt: ago(1) })]);
    }
    await draining;
    await core.rollup.drain();
    const sum = await core.db.read
      .selectFrom('agent_metrics')
      .select((eb) => eb.fn.sum<number>('num').as('n'))
      .where('kpi_key', '=', 'cost')
      .where('granularity', '=', 'day')
      .where('agent_id', '=', 'a-late')
      .executeTakeFirst();
    expect(Number(sum?.n)).toBe(4);
  });

  it('answers a drain with an error, not a hang, once its worker is gone; the server still closes', async () => {
    const t = await startTestServer({ config: { analytics: { rollupThread: 'worker' } } });
    servers.push(t);
    const thread = t.server.core.rollup as RollupThread;
    await (thread as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await expect(thread.drain()).rejects.toThrow(/analytics rollup worker exited/);
  });
});
