/**
 * The worker thread's side of RollupThread: the agent-metrics rollup on a SQLite connection of its own. SQLite work
 * is synchronous, so on the main thread each of its steps held up every HTTP request behind it; here it runs on the
 * other core, and the main thread only waits for SQLite's write lock (asynchronously, see withWriteTransaction).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../../../clock.js';
import { openSqlite } from '../../../db/sqlite-connection.js';
import { WriteTurn } from '../../../db/write-turn.js';
import { createLogger } from '../../../observability/logger.js';
import { AgentRollupJob } from '../rollup.job.js';
import { serializeError, type FromWorker, type RollupWorkerData, type ToWorker } from './messages.js';

const port = parentPort;
if (!port) throw new Error('rollup-worker.ts runs as a worker thread (see RollupThread)');
const data = workerData as RollupWorkerData;
const post = (m: FromWorker) => port.postMessage(m);

// The fold reads recent events and the rows it updates: a quarter of the main connections' page cache is plenty, and
// it is memory the process holds twice (this thread opens a reader and a writer too).
const turn = new WriteTurn(data.writeTurn, 'worker');
const db = openSqlite({ file: data.file, busyTimeoutMs: data.busyTimeoutMs, writeTurn: turn, cacheMiB: 16 });
const job = new AgentRollupJob(
  db,
  systemClock,
  createLogger(data.logLevel),
  {
    ...data.job,
    yieldBetweenSteps: false,
    othersWaiting: () => turn.mainWaiting(),
    transaction: { ...data.job.transaction, onLockWait: (ms) => post({ type: 'lockWait', ms }) },
  },
  {
    onBatch: (lagMs, events, durationMs) => post({ type: 'batch', lagMs, events, durationMs }),
    onBacklog: (events) => post({ type: 'backlog', events }),
    recordRound: (startedAtMs, figures, error) =>
      post({
        type: 'span',
        startedEpochMs: performance.timeOrigin + startedAtMs,
        figures,
        ...(error === undefined ? {} : { error: serializeError(error) }),
      }),
  },
);
job.onUpdated((msg) => post({ type: 'updated', msg }));
job.onRound((events, durationMs) => post({ type: 'round', events, durationMs }));

async function answer(id: number, work: () => Promise<void>): Promise<void> {
  try {
    await work();
    post({ type: 'done', id });
  } catch (err) {
    post({ type: 'done', id, error: serializeError(err) });
  }
}

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'start':
      return job.start();
    case 'kick':
      return job.kick();
    case 'drain':
      return void answer(m.id, () => job.drain());
    case 'stop':
      return void answer(m.id, () => job.stop());
    case 'close':
      return void answer(m.id, async () => {
        await job.stop();
        await db.close();
      });
  }
});
