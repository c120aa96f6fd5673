import type * as WorkerThreads from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { configSchema } from '../../src/server/config.js';
import { createCore, type Core } from '../../src/server/core.js';
import { RollupThread } from '../../src/server/modules/analytics/index.js';
import { costRecorded } from '../support/events.js';
import { tempDir } from '../support/test-server.js';

// Every CLI command opens a core. Its rollup thread would load and compile the rollup's modules in a fresh isolate
// (about a second of CPU from source) for a command that never folds: the thread starts with the first work asked of it.
const started = vi.hoisted(() => ({ workers: 0 }));
vi.mock('node:worker_threads', async (importOriginal) => {
  const actual = await importOriginal<typeof WorkerThreads>();
  class CountedWorker extends actual.Worker {
    constructor(...args: ConstructorParameters<typeof actual.Worker>) {
      super(...args);
      started.workers++;
    }
  }
  return { ...actual, Worker: CountedWorker };
});

const cores: Core[] = [];
afterEach(async () => {
  for (const core of cores.splice(0)) await core.close();
});

describe('the rollup thread of a core', () => {
  it('starts no thread for a core that writes, reads and closes without folding; starts one when asked to fold', async () => {
    // The writer's rounds on this thread: its own worker thread would be counted here (writer-thread.test.ts has it).
    const config = configSchema.parse({ dataDir: tempDir(), logLevel: 'silent', auth: { scryptCostLog2: 10 }, ingest: { writerThread: 'main' } });
    const quiet = await createCore(config);
    cores.push(quiet);
    expect(quiet.rollup).toBeInstanceOf(RollupThread);
    await quiet.auth.ensureBootstrapAdmin('lazy@example.test', 'a long enough password');
    const [accepted] = (await quiet.ingestion.ingest([costRecorded('c-1', { agentId: 'a-dev', model: 'claude-sonnet-4-5', amount: 1 })])).results;
    expect(accepted?.status).toBe('accepted');
    await quiet.rollup.stop();
    await quiet.close();
    cores.pop();
    expect(started.workers).toBe(0);

    const folding = await createCore(config);
    cores.push(folding);
    await folding.rollup.drain();
    expect(started.workers).toBe(1);
    const metrics = await folding.db.read.selectFrom('agent_metrics').select(['agent_id', 'kpi_key']).execute();
    expect(metrics).toContainEqual({ agent_id: 'a-dev', kpi_key: 'cost' });
  });
});
