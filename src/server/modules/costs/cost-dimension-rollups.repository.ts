import { sql } from 'kysely';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import { ROLLUP_RESUMS, ROLLUP_SUMS, sums, sumsPerInterval, type CostAggregate, type CostRange } from './cost-aggregates.repository.js';
import { byDimension, byQuarter, byTotalHour, daysOf, type CostDimension, type DimRow, type HourlyDimDelta } from './cost-dimension-rollup.js';

const QUARTER_MS = 15 * 60_000;
const ADD = (table: string) => ({
  amount_sum: sql<number>`${sql.ref(`${table}.amount_sum`)} + excluded.amount_sum`,
  event_count: sql<number>`${sql.ref(`${table}.event_count`)} + excluded.event_count`,
  unpriced_count: sql<number>`${sql.ref(`${table}.unpriced_count`)} + excluded.unpriced_count`,
});

/** The quarter-hour and per-dimension cost rollups (migration 019): kept from cost_events, read by time series and breakdowns. */
export const costDimensionRollupsRepository = {
  /** Adds a batch's newly inserted cost rows to the three rollups. */
  async add(db: Executor, rows: readonly DimRow[]): Promise<void> {
    if (rows.length === 0) return;
    const { hourly, daily } = byDimension(rows);
    await addHourly(db, rows, hourly);
    await bumpDays(db, daysOf(rows));
    for (const part of chunks(daily))
      await db
        .insertInto('cost_rollup_dim_daily')
        .values(part)
        .onConflict((oc) => oc.columns(['dim', 'day_start_utc', 'project_id', 'key', 'currency']).doUpdateSet(ADD('cost_rollup_dim_daily')))
        .execute();
  },

  /** Recomputes the hours' (and their days') rows from cost_events, after rows changed in place (reprice, remainders). */
  async rebuild(db: Executor, hourStarts: readonly string[], dayStarts: readonly string[]): Promise<void> {
    for (const hour of hourStarts) {
      const end = new Date(Date.parse(hour) + 3_600_000).toISOString();
      await db.deleteFrom('cost_rollup_project_quarter').where('quarter_start_utc', '>=', hour).where('quarter_start_utc', '<', end).execute();
      await db.deleteFrom('cost_rollup_dim_hourly').where('hour_start_utc', '=', hour).execute();
      await db.deleteFrom('cost_rollup_total_hourly').where('hour_start_utc', '=', hour).execute();
      const rows = await rowsIn(db, hour, end);
      await addHourly(db, rows, byDimension(rows).hourly);
    }
    // The days from their (now rebuilt) hours, as the per-project daily rollup is.
    await bumpDays(db, dayStarts);
    for (const day of dayStarts) {
      const end = new Date(Date.parse(day) + 86_400_000).toISOString();
      await db.deleteFrom('cost_rollup_dim_daily').where('day_start_utc', '=', day).execute();
      await db
        .insertInto('cost_rollup_dim_daily')
        .columns(['dim', 'day_start_utc', 'project_id', 'key', 'currency', 'amount_sum', 'event_count', 'unpriced_count'])
        .expression(
          db
            .selectFrom('cost_rollup_dim_hourly')
            .select(['dim', sql<string>`${day}`.as('day_start_utc'), 'project_id', 'key', 'currency', ...ROLLUP_RESUMS])
            .where('hour_start_utc', '>=', day)
            .where('hour_start_utc', '<', end)
            .groupBy(['dim', 'project_id', 'key', 'currency']),
        )
        .execute();
    }
  },

  /** Totals per key and currency of one dimension over whole UTC days (`daily`) or hours (`hourly`) in [start, end). */
  async aggregate(db: Executor, range: CostRange, dim: CostDimension, unit: 'daily' | 'hourly'): Promise<CostAggregate[]> {
    const [table, time] = unit === 'daily' ? (['cost_rollup_dim_daily', 'day_start_utc'] as const) : (['cost_rollup_dim_hourly', 'hour_start_utc'] as const);
    const base = db.selectFrom(table).where(sql.ref(time), '>=', range.start).where(sql.ref(time), '<', range.end);
    let q = base
      .select([...ROLLUP_SUMS, sql<string | null>`nullif(key, '')`.as('key')])
      .where('dim', '=', dim)
      .groupBy(['key', 'currency']);
    if (range.projectId !== undefined) q = q.where('project_id', '=', range.projectId);
    const rows = await q.execute();
    return rows.map((r) => ({ key: r.key, currency: r.currency, ...sums(r) }));
  },

  /** The version counters of the UTC days in [start, end): equal counters mean equal rollup rows for those days. */
  async dayVersions(db: Executor, start: string, end: string): Promise<string> {
    const rows = await db
      .selectFrom('cost_rollup_day_versions')
      .select(['day_start_utc', 'version'])
      .where('day_start_utc', '>=', start)
      .where('day_start_utc', '<', end)
      .orderBy('day_start_utc')
      .execute();
    return rows.map((r) => `${r.day_start_utc}=${r.version}`).join(',');
  },

  /** Per UTC hour ("YYYY-MM-DDTHH") and currency over every project; [start, end) must be whole UTC hours. */
  async perHourTotal(db: Executor, range: { start: string; end: string }): Promise<(CostAggregate & { slot: string })[]> {
    const rows = await db
      .selectFrom('cost_rollup_total_hourly')
      .select([sql<string>`substr(hour_start_utc, 1, 13)`.as('slot'), ...ROLLUP_SUMS])
      .where('hour_start_utc', '>=', range.start)
      .where('hour_start_utc', '<', range.end)
      .groupBy(['hour_start_utc', 'currency'])
      .execute();
    return rows.map((r) => ({ key: null, slot: r.slot, currency: r.currency, ...sums(r) }));
  },

  /**
   * Sums per currency over each of the given intervals (a row's `i` is its interval's index): the time series reads
   * one row per bucket part instead of one per hour or quarter. `hour` intervals are whole UTC hours, read from the
   * all-project totals or, for one project, its hourly rollup; `quarter` intervals whole quarter hours.
   */
  async sumsPerInterval(
    db: Executor,
    unit: 'hour' | 'quarter',
    intervals: readonly { start: string; end: string }[],
    projectId: string | undefined,
  ): Promise<(CostAggregate & { i: number })[]> {
    const [table, column] =
      unit === 'quarter'
        ? ['cost_rollup_project_quarter', 'quarter_start_utc']
        : projectId === undefined
          ? ['cost_rollup_total_hourly', 'hour_start_utc']
          : ['cost_rollup_project_hourly', 'hour_start_utc'];
    const scope = projectId === undefined ? sql`` : sql` and project_id = ${projectId}`;
    return sumsPerInterval(
      db,
      intervals,
      (iv, i) =>
        sql`select ${i} as i, ${sql.join([...ROLLUP_SUMS], sql`, `)} from ${sql.table(table)} where ${sql.ref(column)} >= ${iv.start} and ${sql.ref(column)} < ${iv.end}${scope} group by currency`,
    );
  },

  /** Per UTC quarter hour and currency over the union of whole-quarter intervals (the hours a bucket boundary cuts). */
  async perQuarter(
    db: Executor,
    intervals: readonly { start: string; end: string }[],
    projectId: string | undefined,
  ): Promise<(CostAggregate & { slotStart: number; slotEnd: number })[]> {
    const out: (CostAggregate & { slotStart: number; slotEnd: number })[] = [];
    // One statement per interval: SQLite answers OR-ed ranges with a scan of the whole table, not one range each.
    for (const i of intervals) {
      let q = db
        .selectFrom('cost_rollup_project_quarter')
        .select(['quarter_start_utc', ...ROLLUP_SUMS])
        .where('quarter_start_utc', '>=', i.start)
        .where('quarter_start_utc', '<', i.end)
        .groupBy(['quarter_start_utc', 'currency']);
      if (projectId !== undefined) q = q.where('project_id', '=', projectId);
      for (const r of await q.execute()) {
        const slotStart = Date.parse(r.quarter_start_utc);
        out.push({ key: null, currency: r.currency, ...sums(r), slotStart, slotEnd: slotStart + QUARTER_MS });
      }
    }
    return out;
  },
};

/** The cost rows of [start, end) in the shape the folds take. */
async function rowsIn(db: Executor, start: string, end: string): Promise<DimRow[]> {
  const rows = await db
    .selectFrom('cost_events')
    .select(['occurred_at_utc', 'project_id', 'agent_id', 'model', 'story_id', 'currency', 'cost_amount', 'workflow_name'])
    .where('occurred_at_utc', '>=', start)
    .where('occurred_at_utc', '<', end)
    .execute();
  return rows;
}

/** The quarter-hour and per-dimension hourly rows of a set of cost rows (the daily ones are the caller's). */
async function addHourly(db: Executor, rows: readonly DimRow[], hourly: readonly HourlyDimDelta[]): Promise<void> {
  for (const part of chunks(byQuarter(rows)))
    await db
      .insertInto('cost_rollup_project_quarter')
      .values(part)
      .onConflict((oc) => oc.columns(['quarter_start_utc', 'project_id', 'currency']).doUpdateSet(ADD('cost_rollup_project_quarter')))
      .execute();
  for (const part of chunks(byTotalHour(rows)))
    await db
      .insertInto('cost_rollup_total_hourly')
      .values(part)
      .onConflict((oc) => oc.columns(['hour_start_utc', 'currency']).doUpdateSet(ADD('cost_rollup_total_hourly')))
      .execute();
  for (const part of chunks(hourly))
    await db
      .insertInto('cost_rollup_dim_hourly')
      .values(part)
      .onConflict((oc) => oc.columns(['dim', 'hour_start_utc', 'project_id', 'key', 'currency']).doUpdateSet(ADD('cost_rollup_dim_hourly')))
      .execute();
}

async function bumpDays(db: Executor, days: readonly string[]): Promise<void> {
  for (const part of chunks(days))
    await db
      .insertInto('cost_rollup_day_versions')
      .values(part.map((day_start_utc) => ({ day_start_utc, version: 1 })))
      .onConflict((oc) => oc.column('day_start_utc').doUpdateSet({ version: sql<number>`cost_rollup_day_versions.version + 1` }))
      .execute();
}
