/**
 * The worker thread's side of WriterThread: write rounds (dedup, append, projections, commit) on a SQLite connection of
 * its own. better-sqlite3 is synchronous: on the main thread a round's statements and its commit's fsync held up the
 * HTTP parsing and validation of every request behind it; here they run beside them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from '../../../db/sqlite-connection.js';
import { WriteTurn } from '../../../db/write-turn.js';
import { PricingTable } from '../../../pricing/pricing-table.js';
import { createProjectionEngine } from '../../../projections.js';
import { commitRound } from '../round-commit.js';
import { toWriterError, type FromWriter, type ToWriter, type WriterWorkerData } from './messages.js';

const port = parentPort;
if (!port) throw new Error('writer-worker.ts runs as a worker thread (see WriterThread)');
const data = workerData as WriterWorkerData;
const post = (m: FromWriter) => port.postMessage(m);

const db = openSqlite({ file: data.file, busyTimeoutMs: data.busyTimeoutMs, writeTurn: new WriteTurn(data.writeTurn, 'writer') });
const projections = createProjectionEngine(new PricingTable(data.pricing));

async function commit(m: Extract<ToWriter, { type: 'commit' }>): Promise<void> {
  let lockWaitMs: number | null = null;
  const transaction = { ...data.transaction, onLockWait: (ms: number) => (lockWaitMs = ms) };
  try {
    const at = data.systemClock ? () => new Date().toISOString() : () => m.recordedAt;
    const { outcomes, recordedAt } = await commitRound(db, projections, m.events, m.origins, at, transaction, m.hashes);
    post({ type: 'committed', id: m.id, outcomes, recordedAt, lockWaitMs: lockWaitMs ?? 0 });
  } catch (err) {
    post({ type: 'failed', id: m.id, error: toWriterError(err), lockWaitMs });
  }
}

// The main thread sends one round at a time and waits for its answer, so rounds never overlap here.
port.on('message', (m: ToWriter) => {
  if (m.type === 'commit') return void commit(m);
  void db.close().finally(() => post({ type: 'closed', id: m.id }));
});
