import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { TEST_DATABASE_URL } from './postgres.js';

/**
 * A test's own read-only look into a test server's database, on whichever backend the suite runs (SQLite file in the
 * data dir, or the server's Postgres schema). Queries use `?` placeholders; they are numbered for Postgres.
 */
export interface TestDb {
  all<T = Record<string, unknown>>(query: string, ...params: unknown[]): Promise<T[]>;
  get<T = Record<string, unknown>>(query: string, ...params: unknown[]): Promise<T | undefined>;
  close(): Promise<void>;
}

const schemaByDataDir = new Map<string, string>();

/** Called by the test server: the Postgres schema that stands for a data dir. */
export function rememberSchema(dataDir: string, schema: string): void {
  schemaByDataDir.set(path.resolve(dataDir), schema);
}

export function schemaOf(dataDir: string): string | undefined {
  return schemaByDataDir.get(path.resolve(dataDir));
}

export function forgetSchema(dataDir: string): void {
  schemaByDataDir.delete(path.resolve(dataDir));
}

const numbered = (query: string) => {
  let n = 0;
  return query.replace(/\?/g, () => `$${++n}`);
};

export function openTestDb(dataDir: string, opts: { readonly?: boolean } = {}): TestDb {
  const schema = schemaOf(dataDir);
  if (schema) {
    const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 2, options: `-c search_path=${schema}` });
    // Counts come back as numbers, as SQLite gives them.
    const parse = (v: string) => Number(v);
    pg.types.setTypeParser(20, parse);
    pg.types.setTypeParser(1700, parse);
    return {
      async all<T>(query: string, ...params: unknown[]) {
        return (await pool.query(numbered(query), params)).rows as T[];
      },
      async get<T>(query: string, ...params: unknown[]) {
        return (await pool.query(numbered(query), params)).rows[0] as T | undefined;
      },
      close: () => pool.end(),
    };
  }
  const db = new Database(path.join(dataDir, 'bmad-ops.sqlite'), { readonly: opts.readonly ?? true });
  return {
    async all<T>(query: string, ...params: unknown[]) {
      return db.prepare(query).all(...params) as T[];
    },
    async get<T>(query: string, ...params: unknown[]) {
      return db.prepare(query).get(...params) as T | undefined;
    },
    async close() {
      db.close();
    },
  };
}
