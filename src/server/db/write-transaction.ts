import { sql } from 'kysely';
import type { DatabaseHandle, Executor } from './handle.js';

export interface WriteTransactionOptions {
  /** Extra attempts after SQLITE_BUSY outlasted the busy timeout. */
  maxRetries: number;
  retryDelayMs: number;
  /** Called with how long acquiring the write lock took, in ms (sqlite_write_lock_wait_ms). */
  onLockWait?: (ms: number) => void;
}

export class WriteLockTimeoutError extends Error {
  constructor(
    readonly waitedMs: number,
    cause: unknown,
  ) {
    super(`database write lock not acquired after ${Math.round(waitedMs)} ms`, { cause });
    this.name = 'WriteLockTimeoutError';
  }
}

/** Any fixed 64-bit number: the advisory lock every instance's writer takes. */
const WRITER_LOCK = 0x626d61646f7073n;

/**
 * On Postgres, several instances write at once. One advisory lock per write transaction makes them take turns, as
 * SQLite's single writer does: event ids are then handed out and committed in the same order, so a reader that sees
 * id N has every id below N (replay and `prevEventId` depend on it). The identity sequence is set back to the log's
 * head under that lock, so an id drawn by a transaction that rolled back is reused and the sequence has no gaps.
 */
async function beginPostgresWrite(conn: Executor): Promise<void> {
  await sql`begin`.execute(conn);
  try {
    await sql`select pg_advisory_xact_lock(${WRITER_LOCK.toString()}::bigint)`.execute(conn);
    // Retention may have pruned the newest ids too: the pruned position is a floor, so no id is ever handed out twice.
    await sql`select setval(pg_get_serial_sequence('domain_events', 'id'), greatest(
        coalesce((select max(id) from domain_events), 0),
        coalesce((select cast(value as bigint) from meta where key = 'pruned_through_event_id'), 0)) + 1, false)`.execute(conn);
  } catch (err) {
    await sql`rollback`.execute(conn).catch(() => undefined);
    throw err;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `work` in one write transaction. BEGIN IMMEDIATE takes the write lock up front, so a transaction never fails
 * half way on lock upgrade; the wait for that lock is measured and retried a bounded number of times.
 */
export async function withWriteTransaction<T>(db: DatabaseHandle, opts: WriteTransactionOptions, work: (trx: Executor) => Promise<T>): Promise<T> {
  return db.write.connection().execute(async (conn) => {
    const started = performance.now();
    for (let attempt = 0; ; attempt++) {
      try {
        if (db.dialect === 'sqlite') await sql`begin immediate`.execute(conn);
        else await beginPostgresWrite(conn);
        break;
      } catch (err) {
        if (!db.isBusyError(err)) throw err;
        if (attempt >= opts.maxRetries) {
          opts.onLockWait?.(performance.now() - started);
          throw new WriteLockTimeoutError(performance.now() - started, err);
        }
        // Sleeping between short busy waits keeps the event loop serving reads while another process holds the lock.
        await sleep(Math.min(opts.retryDelayMs * (attempt + 1), 200));
      }
    }
    opts.onLockWait?.(performance.now() - started);
    try {
      const result = await work(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (err) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw err;
    }
  });
}
