import type { DatabaseConnection, Driver, TransactionSettings } from 'kysely';

const HOLDER = 0;
const MAIN_WAITING = 1;
/** Set by a worker that has waited PATIENCE_MS: the main thread then lets it go next. */
const WORKER_DUE = 2;
/** Like MAIN_WAITING, for the ingest writer's thread (a cell of its own, so a writer that died cannot leave it set). */
const WRITER_WAITING = 3;
const FREE = 0;
const PATIENCE_MS = 100;
const ROLE = { main: 1, worker: 2, writer: 3 } as const;
/** Upper bound of one wait, so a lost wake-up costs at most this much. */
const WAIT_MS = 20;

/**
 * Whose turn it is to write: the main thread, the ingest writer's thread (when appends run on a worker) or the
 * analytics rollup's worker thread, which have a SQLite connection each. SQLite's own lock would make the main thread
 * wait inside the busy handler, blocking its event loop, or fail with SQLITE_BUSY after busy_timeout while the rollup
 * commits batch after batch. Here the main thread and the writer wait asynchronously (their event loops go on) and go
 * first: the rollup worker ('worker'), which may block, takes its turn when neither is waiting for one, or after
 * PATIENCE_MS, so steady ingestion cannot starve the rollup. Other processes (the CLI) still meet SQLite's lock.
 */
export class WriteTurn {
  private readonly cells: Int32Array;

  constructor(
    buffer: SharedArrayBuffer,
    private readonly role: keyof typeof ROLE,
  ) {
    this.cells = new Int32Array(buffer);
  }

  static buffer(): SharedArrayBuffer {
    return new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT);
  }

  async acquire(): Promise<void> {
    const me = ROLE[this.role];
    if (this.role === 'worker') {
      const since = performance.now();
      for (;;) {
        const due = performance.now() - since >= PATIENCE_MS;
        if (due) Atomics.store(this.cells, WORKER_DUE, 1);
        if ((due || !this.mainWaiting()) && Atomics.compareExchange(this.cells, HOLDER, FREE, me) === FREE) {
          Atomics.store(this.cells, WORKER_DUE, 0);
          // Wakes a main thread that stood aside for this turn, so it waits on the worker's release instead.
          Atomics.notify(this.cells, HOLDER);
          return;
        }
        // A worker thread may block: until the holder lets go, or the main thread has had its turn.
        Atomics.wait(this.cells, HOLDER, Atomics.load(this.cells, HOLDER), WAIT_MS);
      }
    }
    const waiting = this.role === 'writer' ? WRITER_WAITING : MAIN_WAITING;
    Atomics.add(this.cells, waiting, 1);
    try {
      for (;;) {
        let holder: number;
        if (Atomics.load(this.cells, WORKER_DUE) === 0) {
          holder = Atomics.compareExchange(this.cells, HOLDER, FREE, me);
          if (holder === FREE) return;
        } else holder = Atomics.load(this.cells, HOLDER); // the worker goes next
        const waited = Atomics.waitAsync(this.cells, HOLDER, holder, WAIT_MS);
        if (waited.async) await waited.value;
      }
    } finally {
      Atomics.sub(this.cells, waiting, 1);
    }
  }

  /** Whether the main thread or the writer's is waiting for a turn now (read by the rollup before it lets go of its own). */
  mainWaiting(): boolean {
    return Atomics.load(this.cells, MAIN_WAITING) > 0 || Atomics.load(this.cells, WRITER_WAITING) > 0;
  }

  release(): void {
    Atomics.compareExchange(this.cells, HOLDER, ROLE[this.role], FREE);
    Atomics.notify(this.cells, HOLDER);
  }

  /** For the main thread when a worker thread died, perhaps holding the turn or waiting for it. */
  static releaseAbandoned(buffer: SharedArrayBuffer, role: 'worker' | 'writer' = 'worker'): void {
    const cells = new Int32Array(buffer);
    Atomics.store(cells, role === 'worker' ? WORKER_DUE : WRITER_WAITING, 0);
    Atomics.compareExchange(cells, HOLDER, ROLE[role], FREE);
    Atomics.notify(cells, HOLDER);
  }
}

/** A Kysely driver that holds the write turn from acquiring its connection to releasing it (a whole transaction). */
export class TurnTakingDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly turn: WriteTurn,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    // The connection first (Kysely's own mutex orders this thread's users), then the turn between threads.
    const conn = await this.inner.acquireConnection();
    try {
      await this.turn.acquire();
    } catch (err) {
      await this.inner.releaseConnection(conn);
      throw err;
    }
    return conn;
  }

  async releaseConnection(conn: DatabaseConnection): Promise<void> {
    this.turn.release();
    await this.inner.releaseConnection(conn);
  }

  beginTransaction(conn: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(conn, settings);
  }

  commitTransaction(conn: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(conn);
  }

  rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(conn);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}
