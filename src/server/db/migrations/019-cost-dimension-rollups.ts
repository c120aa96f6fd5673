import { sql, type Kysely } from 'kysely';
import type { Migration } from './types.js';

/**
 * Cost rollups that keep every dashboard cost read short at a million cost rows (issue 17).
 *
 * cost_rollup_project_quarter: cost_rollup_project_hourly per UTC quarter hour. Every time zone's offset is a whole
 * number of quarter hours (India +05:30, Nepal +05:45, Newfoundland −03:30), so a day or hour bucket in any zone starts
 * on a quarter: a time series reads the hours no bucket boundary cuts from the hourly rollup and the cut ones here,
 * instead of reading those hours' cost rows minute by minute.
 *
 * cost_rollup_dim_hourly / cost_rollup_dim_daily: per UTC hour / day, per breakdown dimension ('agent', 'model',
 * 'story', 'workflow'), key, project and currency. A breakdown by story over 30 days read the full-key hourly rollup
 * (about half a row per cost row: a story's requests spread over agents, models and hours); one dimension per row
 * collapses that to one row per story and day. Whole days come from the daily table, the hours at a window's ends from
 * the hourly one, the partial hours from cost_events. 'workflow' is the BMAD workflow's name (cost_events.workflow_name),
 * which the full-key rollup never carried.
 *
 * cost_rollup_total_hourly: cost_rollup_project_hourly summed over projects, so the workspace's time series reads one
 * row per hour and currency instead of one per project.
 *
 * cost_rollup_day_versions: a counter per UTC day, raised in the same transaction as any change to that day's rollup
 * rows. A reader may keep what it computed from whole past days and reuse it for as long as those days' counters are
 * unchanged (a 30-day breakdown by story sums ~50,000 daily rows; the days before today rarely change).
 *
 * All of them are maintained by the costs projection in the append transaction and rebuilt with the others by reprice;
 * '' stands for "none" in key columns, as in migration 004.
 */
export const DIMENSIONS = [
  ['agent', 'agent_id'],
  ['model', 'model'],
  ['story', 'story_id'],
  ['workflow', 'workflow_name'],
] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations describe tables before types exist
type Db = Kysely<any>;

const SUMS = [
  sql<number>`coalesce(sum(cost_amount), 0)`.as('amount_sum'),
  sql<number>`count(*)`.as('event_count'),
  sql<number>`sum(case when cost_amount is null then 1 else 0 end)`.as('unpriced_count'),
];

function dimTable(db: Db, table: ReturnType<Db['schema']['createTable']>, name: string, timeColumn: string) {
  return [
    table
      .addColumn('dim', 'text', (c) => c.notNull())
      .addColumn(timeColumn, 'text', (c) => c.notNull())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('currency', 'text', (c) => c.notNull())
      .addColumn('amount_sum', 'real', (c) => c.notNull())
      .addColumn('event_count', 'integer', (c) => c.notNull())
      .addColumn('unpriced_count', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${name}_pk`, ['dim', timeColumn, 'project_id', 'key', 'currency'])
      .modifyEnd(sql`without rowid`),
    // A project's breakdown range-scans that project's rows of one dimension; the value columns make it covering.
    db.schema
      .createIndex(`${name}_project_idx`)
      .on(name)
      .columns(['dim', 'project_id', timeColumn, 'key', 'currency', 'amount_sum', 'event_count', 'unpriced_count']),
  ];
}

/** Backfill of one dimension from the cost rows already stored (the aggregation the projection performs per batch). */
function backfillDim(db: Db, table: string, timeColumn: string, timeExpr: string, dim: string, column: string) {
  return db
    .insertInto(table)
    .columns(['dim', timeColumn, 'project_id', 'key', 'currency', 'amount_sum', 'event_count', 'unpriced_count'])
    .expression(
      db
        .selectFrom('cost_events')
        .select([
          sql<string>`${sql.lit(dim)}`.as('dim'),
          sql<string>`${sql.raw(timeExpr)}`.as(timeColumn),
          sql<string>`coalesce(project_id, '')`.as('project_id'),
          sql<string>`coalesce(${sql.ref(column)}, '')`.as('key'),
          sql<string>`coalesce(currency, '')`.as('currency'),
          ...SUMS,
        ])
        .groupBy([sql.raw(timeExpr), sql`coalesce(project_id, '')`, sql`coalesce(${sql.ref(column)}, '')`, sql`coalesce(currency, '')`]),
    );
}

const HOUR_EXPR = `substr(occurred_at_utc, 1, 13) || ':00:00.000Z'`;
const DAY_EXPR = `substr(occurred_at_utc, 1, 10) || 'T00:00:00.000Z'`;
const QUARTER_EXPR = `substr(occurred_at_utc, 1, 14) || case when substr(occurred_at_utc, 15, 2) < '15' then '00' when substr(occurred_at_utc, 15, 2) < '30' then '15' when substr(occurred_at_utc, 15, 2) < '45' then '30' else '45' end || ':00.000Z'`;

function quarterTable(db: Db) {
  return [
    db.schema
      .createTable('cost_rollup_project_quarter')
      .addColumn('quarter_start_utc', 'text', (c) => c.notNull())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('currency', 'text', (c) => c.notNull())
      .addColumn('amount_sum', 'real', (c) => c.notNull())
      .addColumn('event_count', 'integer', (c) => c.notNull())
      .addColumn('unpriced_count', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('cost_rollup_project_quarter_pk', ['quarter_start_utc', 'project_id', 'currency'])
      .modifyEnd(sql`without rowid`),
    db.schema
      .createIndex('cost_rollup_project_quarter_project_idx')
      .on('cost_rollup_project_quarter')
      .columns(['project_id', 'quarter_start_utc', 'currency', 'amount_sum', 'event_count', 'unpriced_count']),
    db
      .insertInto('cost_rollup_project_quarter')
      .columns(['quarter_start_utc', 'project_id', 'currency', 'amount_sum', 'event_count', 'unpriced_count'])
      .expression(
        db
          .selectFrom('cost_events')
          .select([
            sql<string>`${sql.raw(QUARTER_EXPR)}`.as('quarter_start_utc'),
            sql<string>`coalesce(project_id, '')`.as('project_id'),
            sql<string>`coalesce(currency, '')`.as('currency'),
            ...SUMS,
          ])
          .groupBy([sql.raw(QUARTER_EXPR), sql`coalesce(project_id, '')`, sql`coalesce(currency, '')`]),
      ),
  ];
}

function totalTables(db: Db) {
  return [
    db.schema
      .createTable('cost_rollup_total_hourly')
      .addColumn('hour_start_utc', 'text', (c) => c.notNull())
      .addColumn('currency', 'text', (c) => c.notNull())
      .addColumn('amount_sum', 'real', (c) => c.notNull())
      .addColumn('event_count', 'integer', (c) => c.notNull())
      .addColumn('unpriced_count', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('cost_rollup_total_hourly_pk', ['hour_start_utc', 'currency'])
      .modifyEnd(sql`without rowid`),
    db
      .insertInto('cost_rollup_total_hourly')
      .columns(['hour_start_utc', 'currency', 'amount_sum', 'event_count', 'unpriced_count'])
      .expression(
        db
          .selectFrom('cost_rollup_project_hourly')
          .select([
            'hour_start_utc',
            'currency',
            sql<number>`sum(amount_sum)`.as('amount_sum'),
            sql<number>`sum(event_count)`.as('event_count'),
            sql<number>`sum(unpriced_count)`.as('unpriced_count'),
          ])
          .groupBy(['hour_start_utc', 'currency']),
      ),
    db.schema
      .createTable('cost_rollup_day_versions')
      .addColumn('day_start_utc', 'text', (c) => c.notNull().primaryKey())
      .addColumn('version', 'integer', (c) => c.notNull())
      .modifyEnd(sql`without rowid`),
  ];
}

export const costDimensionRollups: Migration = {
  version: 19,
  name: 'cost-dimension-rollups',
  statements(db) {
    return [
      ...quarterTable(db),
      ...totalTables(db),
      ...dimTable(db, db.schema.createTable('cost_rollup_dim_hourly'), 'cost_rollup_dim_hourly', 'hour_start_utc'),
      ...dimTable(db, db.schema.createTable('cost_rollup_dim_daily'), 'cost_rollup_dim_daily', 'day_start_utc'),
      ...DIMENSIONS.flatMap(([dim, column]) => [
        backfillDim(db, 'cost_rollup_dim_hourly', 'hour_start_utc', HOUR_EXPR, dim, column),
        backfillDim(db, 'cost_rollup_dim_daily', 'day_start_utc', DAY_EXPR, dim, column),
      ]),
    ];
  },
};
