import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { Database } from '../../../db/schema.js';
import { ROW_FILTER, type ReadModelTable } from './read-model-tables.js';

export type Row = Record<string, unknown>;

export interface TableShape {
  columns: string[];
  /** The columns that identify a row across the live database and its rebuild. */
  key: string[];
}

/**
 * How a table's rows are matched: by primary key, except where that key is a surrogate counter (rows numbered in
 * insertion order) and the row names the event it came from — then by that event.
 */
export async function tableShape(db: Kysely<Database>, table: ReadModelTable): Promise<TableShape> {
  const info = await columnsOf(db, table);
  const columns = info.map((c) => c.name);
  const pk = info
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => c.name);
  if (pk.length === 1 && pk[0] === 'id') {
    const byEvent = ['event_id', 'source_event_id'].find((c) => columns.includes(c));
    if (byEvent) return { columns: columns.filter((c) => c !== 'id'), key: [byEvent] };
  }
  return { columns, key: pk.length > 0 ? pk : columns };
}

/** A table's columns in order, each with its position in the primary key (0 when not in it). */
async function columnsOf(db: Kysely<Database>, table: ReadModelTable): Promise<{ name: string; pk: number }[]> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) {
    return (await sql<{ name: string; pk: number }>`select name, pk from pragma_table_info(${table})`.execute(db)).rows;
  }
  return (
    await sql<{ name: string; pk: number }>`
      select a.attname as name, coalesce(array_position(i.indkey::int2[], a.attnum) + 1, 0) as pk
        from pg_attribute a
        left join pg_index i on i.indrelid = a.attrelid and i.indisprimary
       where a.attrelid = to_regclass(${table}) and a.attnum > 0 and not a.attisdropped
       order by a.attnum`.execute(db)
  ).rows;
}

/** All rows of a read model, ordered by its key (tables are small enough to hold: they are the dashboard's state). */
export async function tableRows(db: Kysely<Database>, table: ReadModelTable, shape: TableShape): Promise<Row[]> {
  const filter = ROW_FILTER[table];
  const cols = sql.join(shape.columns.map((c) => sql.ref(c)));
  const order = sql.join(shape.key.map((c) => sql.ref(c)));
  const where = filter ? sql` where ${sql.raw(filter)}` : sql``;
  return (await sql<Row>`select ${cols} from ${sql.table(table)}${where} order by ${order}`.execute(db)).rows;
}
