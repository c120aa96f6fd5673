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
  /**
   * A number that changes whenever another connection commits to the database: equal numbers mean nothing was
   * written in between, so an answer computed at the first may be reused at the second. On SQLite it is the read
   * connection's `data_version`, which counts the writer's commits, the rollup worker's and other processes'. null
   * where the backend cannot tell cheaply (Postgres, and a single-connection scratch database, whose own writes it
   * would not see).
   */
  dataVersion(): Promise<number | null>;
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
