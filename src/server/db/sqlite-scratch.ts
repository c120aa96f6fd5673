import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { DatabaseHandle } from './handle.js';
import type { Database } from './schema.js';

/**
 * A throwaway in-memory database with the product's schema (after `migrate`): where the consistency monitor rebuilds
 * the read models from the log. Nothing here needs to survive a crash, so it runs without a journal.
 */
export function openScratchSqlite(): DatabaseHandle {
  const conn = new SqliteDatabase(':memory:');
  conn.pragma('journal_mode = OFF');
  conn.pragma('synchronous = OFF');
  conn.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: conn }) });
  return {
    dialect: 'sqlite',
    location: ':memory:',
    write: db,
    read: db,
    isBusyError: () => false,
    async ping() {
      conn.prepare('select 1').get();
    },
    // One connection reads and writes: data_version would not count its own writes.
    dataVersion: async () => null,
    async snapshot() {
      return { db, close: async () => undefined };
    },
    async integrityCheck() {
      return (conn.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
    },
    async close() {
      await db.destroy();
    },
  };
}

/**
 * A second, read-only connection to a live database holding one read transaction open: every query through it sees
 * the same committed state (WAL snapshot isolation) while writers carry on, and nobody else's reads queue behind it.
 */
export function openSqliteSnapshot(file: string): { db: Kysely<Database>; close(): Promise<void> } {
  const conn = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  conn.pragma('busy_timeout = 5000');
  conn.exec('begin');
  // The snapshot starts at the first read, not at BEGIN: take it now.
  conn.prepare('select count(*) from meta').get();
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: conn }) });
  return {
    db,
    async close() {
      conn.exec('commit');
      await db.destroy();
    },
  };
}
