import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import type { DatabaseHandle, ReadSnapshot } from './handle.js';

export interface PostgresOptions {
  url: string;
  /** Connections in this instance's pool (readers and the writer share it). */
  poolSize: number;
  /** A schema to work in instead of `public`: the tests give every server its own. */
  schema?: string;
  /** How long a statement may wait for a lock before Postgres reports it (lock_timeout), in ms. */
  lockTimeoutMs: number;
}

const INT8 = 20;
const NUMERIC = 1700;

/**
 * The repositories were written against SQLite, where every integer and every sum is a JS number. Postgres sends
 * bigint and numeric as strings (they may exceed 2^53); our counts, ids and millisecond times stay far below that, so
 * they are read as numbers here instead of converting at every call site.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as unknown as pg.CustomTypesConfig;

/** Redacts the password of a connection URL, for logs and the status page. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}

/** Serialization failures and lock timeouts: the write transaction may be tried again. */
const RETRYABLE = new Set(['40001', '40P01', '55P03']);

export function openPostgres(opts: PostgresOptions): DatabaseHandle {
  const schemaOption = opts.schema ? ` -c search_path=${opts.schema}` : '';
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize,
    types,
    options: `-c lock_timeout=${Math.max(0, Math.floor(opts.lockTimeoutMs))}${schemaOption}`,
    application_name: 'bmad-ops',
  });
  // An idle client losing its connection (a Postgres restart) must not crash the process: the pool replaces it.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    dialect: 'postgres',
    location: redactDatabaseUrl(opts.url),
    write: db,
    read: db,
    isBusyError(err: unknown): boolean {
      const code = (err as { code?: unknown } | null)?.code;
      return typeof code === 'string' && RETRYABLE.has(code);
    },
    async ping(): Promise<void> {
      await pool.query('select 1');
    },
    dataVersion: async () => null,
    snapshot: () => postgresSnapshot(db),
    async integrityCheck(): Promise<string> {
      // Postgres checks its pages itself (checksums, WAL); what we can check is that the catalog answers.
      await pool.query('select count(*) from pg_catalog.pg_class');
      return 'ok';
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

/**
 * One pooled connection in a REPEATABLE READ, read-only transaction: Postgres's snapshot is taken at its first query
 * and holds for every later one. The connection is handed out until close() ends the transaction.
 */
async function postgresSnapshot(db: Kysely<Database>): Promise<ReadSnapshot> {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let done!: Promise<void>;
  const conn = await new Promise<Kysely<Database>>((resolve, reject) => {
    done = db.connection().execute(async (c) => {
      await sql`begin isolation level repeatable read read only`.execute(c);
      await sql`select 1`.execute(c);
      resolve(c);
      await held;
      await sql`commit`.execute(c);
    });
    done.catch(reject);
  });
  return {
    db: conn,
    async close() {
      release();
      await done;
    },
  };
}
