import { sql } from 'kysely';
import type { Migration } from './types.js';

/**
 * Cost rollup and project budgets.
 *
 * cost_rollup_hourly: per UTC hour and (project, agent, model, story, currency), the sum of known amounts, how many
 * cost rows fell there and how many of them had no amount. Summary and timeseries read whole hours here and only the
 * partial edge hours from cost_events, which turns a scan of every cost row of a 30-day window into a scan of a few
 * rows per hour and key. The costs projection maintains it in the append transaction; `bmad-ops reprice` rebuilds the
 * hours it changes.
 *
 * "None" is stored as '' rather than NULL in the key columns: SQLite treats NULLs as distinct in a unique index, so
 * ON CONFLICT would never match a row with a null key and every batch would add a duplicate. An expression index on
 * COALESCE(...) would work for uniqueness, but an upsert's conflict target must then repeat the expressions, and a
 * plain primary key lets the table be WITHOUT ROWID (clustered by hour, the order every read scans). '' can never be a
 * real value: ids, models and currencies are validated non-empty at ingestion. Readers map '' back to null.
 *
 * cost_rollup_project_hourly: the same per UTC hour and (project, currency) only. With story in the key the full
 * rollup compresses a realistic load only ~2x (a story's records meet in few hours), so the reads that need no agent,
 * model or story (totals, the default per-project breakdown, every timeseries, budgets) read this one: a few rows per
 * hour whatever the volume. Maintained and rebuilt together with the full rollup.
 *
 * cost_rollup_project_daily: the per-project rollup per UTC day, so a 30-day total reads ~30 rows per project and
 * currency; the partial days at a window's ends come from the hourly rollup, the partial hours from cost_events.
 *
 * project_budgets: the newest project.budget_set per project (amount null = cleared, kept as a tombstone so an older
 * set arriving later cannot resurrect it).
 */
export const costRollupAndBudgets: Migration = {
  version: 4,
  name: 'cost-rollup-and-budgets',
  // eslint-disable-next-line max-lines-per-function -- a released migration's DDL is one ordered list, kept verbatim (its checksum is recorded)
  statements(db) {
    const keyColumns = ['hour_start_utc', 'project_id', 'agent_id', 'model', 'story_id', 'currency'] as const;
    return [
      db.schema
        .createTable('cost_rollup_hourly')
        .addColumn('hour_start_utc', 'text', (c) => c.notNull())
        .addColumn('project_id', 'text', (c) => c.notNull())
        .addColumn('agent_id', 'text', (c) => c.notNull())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('story_id', 'text', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('amount_sum', 'real', (c) => c.notNull())
        .addColumn('event_count', 'integer', (c) => c.notNull())
        .addColumn('unpriced_count', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('cost_rollup_hourly_pk', [...keyColumns])
        .modifyEnd(sql`without rowid`),
      // Project-scoped reads (summary/timeseries with projectId, budgets) range-scan one project's hours; the value
      // columns make it covering, so those reads never touch the table.
      db.schema
        .createIndex('cost_rollup_hourly_project_idx')
        .on('cost_rollup_hourly')
        .columns(['project_id', 'hour_start_utc', 'currency', 'amount_sum', 'event_count', 'unpriced_count']),
      // Backfill from the cost rows already stored (the same aggregation the projection performs per batch).
      db
        .insertInto('cost_rollup_hourly')
        .columns([...keyColumns, 'amount_sum', 'event_count', 'unpriced_count'])
        .expression(
          db
            .selectFrom('cost_events')
            .select([
              sql<string>`substr(occurred_at_utc, 1, 13) || ':00:00.000Z'`.as('hour_start_utc'),
              sql<string>`coalesce(project_id, '')`.as('project_id'),
              sql<string>`coalesce(agent_id, '')`.as('agent_id'),
              sql<string>`coalesce(model, '')`.as('model'),
              sql<string>`coalesce(story_id, '')`.as('story_id'),
              sql<string>`coalesce(currency, '')`.as('currency'),
              sql<number>`coalesce(sum(cost_amount), 0)`.as('amount_sum'),
              sql<number>`count(*)`.as('event_count'),
              sql<number>`sum(case when cost_amount is null then 1 else 0 end)`.as('unpriced_count'),
            ])
            .groupBy([
              sql`substr(occurred_at_utc, 1, 13)`,
              sql`coalesce(project_id, '')`,
              sql`coalesce(agent_id, '')`,
              sql`coalesce(model, '')`,
              sql`coalesce(story_id, '')`,
              sql`coalesce(currency, '')`,
            ]),
        ),
      db.schema
        .createTable('cost_rollup_project_hourly')
        .addColumn('hour_start_utc', 'text', (c) => c.notNull())
        .addColumn('project_id', 'text', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('amount_sum', 'real', (c) => c.notNull())
        .addColumn('event_count', 'integer', (c) => c.notNull())
        .addColumn('unpriced_count', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('cost_rollup_project_hourly_pk', ['hour_start_utc', 'project_id', 'currency'])
        .modifyEnd(sql`without rowid`),
      db.schema
        .createIndex('cost_rollup_project_hourly_project_idx')
        .on('cost_rollup_project_hourly')
        .columns(['project_id', 'hour_start_utc', 'currency', 'amount_sum', 'event_count', 'unpriced_count']),
      db
        .insertInto('cost_rollup_project_hourly')
        .columns(['hour_start_utc', 'project_id', 'currency', 'amount_sum', 'event_count', 'unpriced_count'])
        .expression(
          db
            .selectFrom('cost_rollup_hourly')
            .select([
              'hour_start_utc',
              'project_id',
              'currency',
              sql<number>`sum(amount_sum)`.as('amount_sum'),
              sql<number>`sum(event_count)`.as('event_count'),
              sql<number>`sum(unpriced_count)`.as('unpriced_count'),
            ])
            .groupBy(['hour_start_utc', 'project_id', 'currency']),
        ),
      db.schema
        .createTable('cost_rollup_project_daily')
        .addColumn('day_start_utc', 'text', (c) => c.notNull())
        .addColumn('project_id', 'text', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('amount_sum', 'real', (c) => c.notNull())
        .addColumn('event_count', 'integer', (c) => c.notNull())
        .addColumn('unpriced_count', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('cost_rollup_project_daily_pk', ['day_start_utc', 'project_id', 'currency'])
        .modifyEnd(sql`without rowid`),
      db.schema
        .createIndex('cost_rollup_project_daily_project_idx')
        .on('cost_rollup_project_daily')
        .columns(['project_id', 'day_start_utc', 'currency', 'amount_sum', 'event_count', 'unpriced_count']),
      db
        .insertInto('cost_rollup_project_daily')
        .columns(['day_start_utc', 'project_id', 'currency', 'amount_sum', 'event_count', 'unpriced_count'])
        .expression(
          db
            .selectFrom('cost_rollup_project_hourly')
            .select([
              sql<string>`substr(hour_start_utc, 1, 10) || 'T00:00:00.000Z'`.as('day_start_utc'),
              'project_id',
              'currency',
              sql<number>`sum(amount_sum)`.as('amount_sum'),
              sql<number>`sum(event_count)`.as('event_count'),
              sql<number>`sum(unpriced_count)`.as('unpriced_count'),
            ])
            .groupBy([sql`substr(hour_start_utc, 1, 10)`, 'project_id', 'currency']),
        ),
      db.schema
        .createTable('project_budgets')
        .addColumn('project_id', 'text', (c) => c.notNull().primaryKey())
        .addColumn('amount', 'real')
        .addColumn('currency', 'text')
        .addColumn('version_at', 'text', (c) => c.notNull())
        .addColumn('version_key', 'text', (c) => c.notNull()),
    ];
  },
};
