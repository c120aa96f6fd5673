import { sql } from 'kysely';
import type { Executor } from './handle.js';

/**
 * The `meta` table belongs to the db layer (the migrator writes the epoch there): modules read and write their own
 * keys through these helpers, never with SQL of their own. Each key has one owner — the module that names it.
 */
export async function readMeta(db: Executor, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

export async function writeMeta(db: Executor, key: string, value: string): Promise<void> {
  await db
    .insertInto('meta')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}

/** Adds one to an integer key (1 when it is not there yet), in one statement. */
export async function incrementMeta(db: Executor, key: string): Promise<void> {
  await db
    .insertInto('meta')
    .values({ key, value: '1' })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: sql<string>`cast(cast(meta.value as integer) + 1 as text)` }))
    .execute();
}
