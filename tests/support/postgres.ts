import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The machine's PostgreSQL (every developer and CI machine runs one; `.ci/run` makes sure it is up). */
export const TEST_DATABASE_URL = process.env.BMAD_OPS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Which backend the integration suite's servers use: `BMAD_OPS_TEST_BACKEND=postgres` runs it on Postgres. */
export const testBackend = (): 'sqlite' | 'postgres' => (process.env.BMAD_OPS_TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite');

async function admin<T>(work: (c: pg.Client) => Promise<T>, url = TEST_DATABASE_URL): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

let swept = false;

/**
 * Schemas a test kept on purpose (a server restarted on its own data dir) or that a killed run left behind are
 * dropped by a later run, once they are an hour old (their name carries their creation time).
 */
async function sweepOldSchemas(c: pg.Client): Promise<void> {
  const rows = (await c.query<{ nspname: string }>(`select nspname from pg_namespace where nspname ~ '^(srv|contract|t)_[0-9a-z]+_[0-9a-f]{8}$'`)).rows;
  for (const { nspname } of rows) {
    const born = parseInt(nspname.split('_')[1]!, 36);
    if (Date.now() - born > 3600_000) await c.query(`drop schema if exists ${nspname} cascade`);
  }
}

/** A fresh, empty schema: each test server or contract case gets its own, so they run side by side on one database. */
export async function createTestSchema(prefix = 't'): Promise<string> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await admin(async (c) => {
    if (!swept) {
      swept = true;
      await sweepOldSchemas(c);
    }
    await c.query(`create schema ${name}`);
  });
  return name;
}

export async function dropTestSchema(name: string): Promise<void> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`not a test schema: ${name}`);
  await admin((c) => c.query(`drop schema if exists ${name} cascade`));
}

/** A fresh, empty database (what `migrate --to` and several instances need: a whole database, not a schema). */
export async function createTestDatabase(prefix = 'bmadops'): Promise<{ name: string; url: string }> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`create database ${name}`));
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

export async function dropTestDatabase(name: string): Promise<void> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`not a test database: ${name}`);
  await admin((c) => c.query(`drop database if exists ${name} with (force)`));
}
