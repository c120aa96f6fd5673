import type { Kysely, Selectable } from 'kysely';
import { chunks } from './chunks.js';
import type { Executor } from './handle.js';
import type { Database } from './schema.js';

/** Read models keyed by a text `id`: the tables projections fold events into. */
export type KeyedTable = 'projects' | 'stories' | 'workflows' | 'agents' | 'sync_state' | 'documents' | 'epics';

// The helpers are generic over the table name, which Kysely's typed builder cannot express; the public signatures
// stay typed and the untyped executor never leaves this file.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const untyped = (db: Executor) => db as unknown as Kysely<any>;

export async function rowsById<T extends KeyedTable>(db: Executor, table: T, ids: readonly string[]): Promise<Map<string, Selectable<Database[T]>>> {
  const found: Selectable<Database[T]>[] = [];
  for (const part of chunks(ids)) {
    const name: string = table;
    found.push(...((await untyped(db).selectFrom(name).selectAll().where('id', 'in', part).execute()) as Selectable<Database[T]>[]));
  }
  return new Map(found.map((r) => [(r as { id: string }).id, r]));
}

/** Inserts rows, or replaces every non-key column of an existing row: the projection already decided what wins. */
export async function upsertById<T extends KeyedTable>(db: Executor, table: T, rows: readonly Selectable<Database[T]>[]): Promise<void> {
  return upsertByKey(db, table, 'id', rows);
}

/** upsertById for a table keyed by another single column. */
export async function upsertByKey<T extends keyof Database>(
  db: Executor,
  table: T,
  key: keyof Database[T] & string,
  rows: readonly Selectable<Database[T]>[],
): Promise<void> {
  for (const part of chunks(rows)) {
    const columns = Object.keys(part[0]!).filter((c) => c !== key);
    const name: string = table;
    await untyped(db)
      .insertInto(name)
      .values(part)
      .onConflict((oc) => oc.column(key).doUpdateSet((eb) => Object.fromEntries(columns.map((c) => [c, eb.ref(`excluded.${c}`)]))))
      .execute();
  }
}
