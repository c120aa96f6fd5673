import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, type Driver, type SqliteDialectConfig } from 'kysely';
import type { Database } from './schema.js';
import type { DatabaseHandle } from './handle.js';
import { openSqliteSnapshot } from './sqlite-scratch.js';
import { TurnTakingDriver, type WriteTurn } from './write-turn.js';

export interface SqliteOptions {
  file: string;
  /** How long SQLite itself waits for another process's write lock before reporting SQLITE_BUSY. */
  busyTimeoutMs: number;
  /** Shared with a worker thread that writes the same file (the analytics rollup): see WriteTurn. */
  writeTurn?: WriteTurn | undefined;
  /** Page cache per connection; 64 MiB unless told (the rollup worker's connections need less). */
  cacheMiB?: number;
}

/** SQLite's dialect, with the write connection taking its turn against the other thread's first when there is one. */
class TurnTakingSqliteDialect extends SqliteDialect {
  constructor(
    config: SqliteDialectConfig,
    private readonly turn: WriteTurn,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return new TurnTakingDriver(super.createDriver(), this.turn);
  }
}

/**
 * Every pragma the product relies on, in one place.
 * - journal_mode=WAL: readers never block the writer and vice versa (architecture 4.4).
 * - synchronous=FULL: the WAL is fsynced at every commit, so an acknowledged ingest survives power loss as well as
 *   a process crash. NORMAL would survive a crash but could lose the last commits on power loss; we ack ingests as
 *   durable, and group commit (one transaction per drained queue) keeps the fsync cost per event small.
 *   The rollup's connection is FULL too: NORMAL there measured no faster catch-up (bench:queries data, Dec 2026).
 * - busy_timeout: wait for another process's lock (a CLI command) instead of failing at once; the writer adds a
 *   bounded retry on top and measures the wait.
 * - foreign_keys=ON: SQLite leaves it off by default per connection.
 * - journal_size_limit: truncate the WAL after checkpoints so it cannot grow without bound.
 * - cache_size: 64 MiB page cache per connection (negative = KiB), or SqliteOptions.cacheMiB.
 */
function applyPragmas(conn: SqliteDatabase.Database, opts: SqliteOptions, role: 'writer' | 'reader'): void {
  conn.pragma('journal_mode = WAL');
  conn.pragma('synchronous = FULL');
  conn.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs))}`);
  conn.pragma('foreign_keys = ON');
  conn.pragma('journal_size_limit = 67108864');
  conn.pragma(`cache_size = -${Math.floor((opts.cacheMiB ?? 64) * 1024)}`);
  conn.pragma('temp_store = MEMORY');
  if (role === 'reader') conn.pragma('query_only = ON');
}

/**
 * Kysely prepares every statement afresh; SQLite parsing and planning the same SQL again is pure waste on the hot
 * write path. This keeps the most recently used statements, keyed by their SQL text. (Safe because Kysely only runs
 * them with all()/run(); iterate() is used for streaming, which we never do.)
 */
function withStatementCache(conn: SqliteDatabase.Database, capacity = 256): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const prepare = conn.prepare.bind(conn);
  const cachedPrepare = (sql: string) => {
    let stmt = cache.get(sql);
    if (stmt) {
      cache.delete(sql);
    } else {
      stmt = prepare(sql);
      if (cache.size >= capacity) cache.delete(cache.keys().next().value!);
    }
    cache.set(sql, stmt);
    return stmt;
  };
  return new Proxy(conn, {
    get(target, prop) {
      if (prop === 'prepare') return cachedPrepare;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export function openSqlite(opts: SqliteOptions): DatabaseHandle {
  // The database holds password hashes, key hashes and the team's data: only its owner may read it.
  fs.mkdirSync(path.dirname(opts.file), { recursive: true, mode: 0o700 });
  if (!fs.existsSync(opts.file)) fs.closeSync(fs.openSync(opts.file, 'a', 0o600));
  const writerConn = new SqliteDatabase(opts.file);
  applyPragmas(writerConn, opts, 'writer');
  const readerConn = new SqliteDatabase(opts.file);
  applyPragmas(readerConn, opts, 'reader');

  const writeConfig = { database: withStatementCache(writerConn) };
  const write = new Kysely<Database>({ dialect: opts.writeTurn ? new TurnTakingSqliteDialect(writeConfig, opts.writeTurn) : new SqliteDialect(writeConfig) });
  const read = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(readerConn) }) });
  let closed = false;
  return {
    dialect: 'sqlite',
    location: opts.file,
    write,
    read,
    isBusyError: isSqliteBusyError,
    async ping(): Promise<void> {
      readerConn.prepare('select 1').get();
    },
    // The reader never writes (query_only), so every change it reports is another connection's commit.
    async dataVersion(): Promise<number> {
      return readerConn.pragma('data_version', { simple: true }) as number;
    },
    async snapshot() {
      return openSqliteSnapshot(opts.file);
    },
    async integrityCheck(): Promise<string> {
      const rows = readerConn.pragma('integrity_check') as { integrity_check: string }[];
      return rows.map((r) => r.integrity_check).join('; ');
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await read.destroy();
      // Fold the WAL back into the main file so a copied data dir is one self-contained file.
      try {
        writerConn.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        // another process may hold the database; the WAL stays valid and is checkpointed later
      }
      await write.destroy();
    },
  };
}

/** Another connection held a lock for longer than this one's busy timeout. */
export function isSqliteBusyError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED';
}
