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
        await (db.dialect === 'sqlite' ? sql`begin immediate` : sql`begin`).execute(conn);
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
