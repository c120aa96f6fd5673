import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { SqlDialectName } from './migrations/types.js';

/**
 * What services and repositories get: a writer and a reader executor. On SQLite they are two connections to the
 * same WAL database (one writer, many readers); a Postgres backend hands the same pool to both.
 */
export interface DatabaseHandle {
  readonly dialect: SqlDialectName;
  readonly location: string;
  readonly write: Kysely<Database>;
  readonly read: Kysely<Database>;
  isBusyError(err: unknown): boolean;
  /** Throws when the database cannot answer a trivial query. */
  ping(): Promise<void>;
  integrityCheck(): Promise<string>;
  /** A read-only view of one moment: every query through it sees the same committed state until it is closed. */
  snapshot(): Promise<ReadSnapshot>;
  close(): Promise<void>;
}

export type Executor = Kysely<Database>;

export interface ReadSnapshot {
  db: Kysely<Database>;
  close(): Promise<void>;
}
