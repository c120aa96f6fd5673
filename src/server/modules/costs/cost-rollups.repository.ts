import { sql } from 'kysely';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import { GROUP_COLUMN, ROLLUP_RESUMS, ROLLUP_SUMS, sums, type CostAggregate, type CostGroupBy, type CostRange } from './cost-aggregates.repository.js';
import { byDay, byProject, byStory, type RollupDelta } from './cost-rollup.js';
import { costDimensionRollupsRepository } from './cost-dimension-rollups.repository.js';
import { DAY_MS, HOUR_MS, utcDayStartIso } from '../../../contracts/time.js';

const ROLLUP_KEY = ['hour_start_utc', 'project_id', 'agent_id', 'model', 'story_id', 'currency'] as const;

/** The cost rollup tables (hourly, daily, per project, per story): kept up to date from cost_events, and read for totals. */
export const costRollupsRepository = {
  /** Adds per-key deltas to both hourly rollups (creating rows as needed): sums and counts only ever add up. */
  async addToRollup(db: Executor, deltas: readonly RollupDelta[]): Promise<void> {
    for (const part of chunks(deltas)) {
      await db
        .insertInto('cost_rollup_hourly')
        .values(part)
        .onConflict((oc) =>
          oc.columns(ROLLUP_KEY).doUpdateSet({
            amount_sum: sql<number>`cost_rollup_hourly.amount_sum + excluded.amount_sum`,
            event_count: sql<number>`cost_rollup_hourly.event_count + excluded.event_count`,
            unpriced_count: sql<number>`cost_rollup_hourly.unpriced_count + excluded.unpriced_count`,
          }),
        )
        .execute();
    }
    const perProject = byProject(deltas);
    for (const part of chunks(perProject)) {
      await db
        .insertInto('cost_rollup_project_hourly')
        .values(part)
        .onConflict((oc) =>
          oc.columns(['hour_start_utc', 'project_id', 'currency']).doUpdateSet({
            amount_sum: sql<number>`cost_rollup_project_hourly.amount_sum + excluded.amount_sum`,
            event_count: sql<number>`cost_rollup_project_hourly.event_count + excluded.event_count`,
            unpriced_count: sql<number>`cost_rollup_project_hourly.unpriced_count + excluded.unpriced_count`,
          }),
        )
        .execute();
    }
    for (const part of chunks(byStory(deltas))) {
      await db
        .insertInto('story_cost_totals')
        .values(part)
        .onConflict((oc) =>
          oc.columns(['story_id', 'currency']).doUpdateSet({
            amount_sum: sql<number>`story_cost_totals.amount_sum + excluded.amount_sum`,
            event_count: sql<number>`story_cost_totals.event_count + excluded.event_count`,
            unpriced_count: sql<number>`story_cost_totals.unpriced_count + excluded.unpriced_count`,
          }),
        )
        .execute();
    }
    for (const part of chunks(byDay(perProject))) {
      await db
        .insertInto('cost_rollup_project_daily')
        .values(part)
        .onConflict((oc) =>
          oc.columns(['day_start_utc', 'project_id', 'currency']).doUpdateSet({
            amount_sum: sql<number>`cost_rollup_project_daily.amount_sum + excluded.amount_sum`,
            event_count: sql<number>`cost_rollup_project_daily.event_count + excluded.event_count`,
            unpriced_count: sql<number>`cost_rollup_project_daily.unpriced_count + excluded.unpriced_count`,
          }),
        )
        .execute();
    }
  },

  /** Story cost to date recomputed from cost_events (after reprice changed some of the stories' rows). */
  async rebuildStoryTotals(db: Executor, storyIds: readonly string[]): Promise<void> {
    for (const part of chunks(storyIds)) {
      await db.deleteFrom('story_cost_totals').where('story_id', 'in', part).execute();
      await db
        .insertInto('story_cost_totals')
        .columns(['story_id', 'currency', 'amount_sum', 'event_count', 'unpriced_count'])
        .expression(
          db
            .selectFrom('cost_events')
            .select([
              sql<string>`story_id`.as('story_id'),
              sql<string>`coalesce(currency, '')`.as('currency'),
              sql<number>`coalesce(sum(cost_amount), 0)`.as('amount_sum'),
              sql<number>`count(*)`.as('event_count'),
              sql<number>`sum(case when cost_amount is null then 1 else 0 end)`.as('unpriced_count'),
            ])
            .where('story_id', 'in', part)
            .groupBy(['story_id', sql`coalesce(currency, '')`]),
        )
        .execute();
    }
  },

  /**
   * Recomputes the rollup rows of whole UTC hours from cost_events (after rows changed in place, as reprice does).
   * A rebuild rather than +/- deltas: subtracting floats leaves residue, and a rebuilt hour is exact by construction.
   */
  async rebuildRollupHours(db: Executor, hourStarts: Iterable<string>): Promise<void> {
    const days = new Set<string>();
    const hours = [...hourStarts];
    for (const hour of hours) {
      days.add(utcDayStartIso(hour));
      const end = new Date(Date.parse(hour) + HOUR_MS).toISOString();
      await db.deleteFrom('cost_rollup_hourly').where('hour_start_utc', '=', hour).execute();
      await db.deleteFrom('cost_rollup_project_hourly').where('hour_start_utc', '=', hour).execute();
      await db
        .insertInto('cost_rollup_hourly')
        .columns([...ROLLUP_KEY, 'amount_sum', 'event_count', 'unpriced_count'])
        .expression(
          db
            .selectFrom('cost_events')
            .select([
              sql<string>`${hour}`.as('hour_start_utc'),
              sql<string>`coalesce(project_id, '')`.as('project_id'),
              sql<string>`coalesce(agent_id, '')`.as('agent_id'),
              sql<string>`coalesce(model, '')`.as('model'),
              sql<string>`coalesce(story_id, '')`.as('story_id'),
              sql<string>`coalesce(currency, '')`.as('currency'),
              sql<number>`coalesce(sum(cost_amount), 0)`.as('amount_sum'),
              sql<number>`count(*)`.as('event_count'),
              sql<number>`sum(case when cost_amount is null then 1 else 0 end)`.as('unpriced_count'),
            ])
            .where('occurred_at_utc', '>=', hour)
            .where('occurred_at_utc', '<', end)
            .groupBy([
              sql`coalesce(project_id, '')`,
              sql`coalesce(agent_id, '')`,
              sql`coalesce(model, '')`,
              sql`coalesce(story_id, '')`,
              sql`coalesce(currency, '')`,
            ]),
        )
        .execute();
      await db
        .insertInto('cost_rollup_project_hourly')
        .columns(['hour_start_utc', 'project_id', 'currency', 'amount_sum', 'event_count', 'unpriced_count'])
        .expression(
          db
            .selectFrom('cost_rollup_hourly')
            .select(['hour_start_utc', 'project_id', 'currency', ...ROLLUP_RESUMS])
            .where('hour_start_utc', '=', hour)
            .groupBy(['hour_start_utc', 'project_id', 'currency']),
        )
        .execute();
    }
    // The daily rows of those days, from the (now rebuilt) hourly ones.
    for (const day of days) {
      const end = new Date(Date.parse(day) + DAY_MS).toISOString();
      await db.deleteFrom('cost_rollup_project_daily').where('day_start_utc', '=', day).execute();
      await db
        .insertInto('cost_rollup_project_daily')
        .columns(['day_start_utc', 'project_id', 'currency', 'amount_sum', 'event_count', 'unpriced_count'])
        .expression(
          db
            .selectFrom('cost_rollup_project_hourly')
            .select([sql<string>`${day}`.as('day_start_utc'), 'project_id', 'currency', ...ROLLUP_RESUMS])
            .where('hour_start_utc', '>=', day)
            .where('hour_start_utc', '<', end)
            .groupBy(['project_id', 'currency']),
        )
        .execute();
    }
    await costDimensionRollupsRepository.rebuild(db, hours, [...days]);
  },

  /**
   * The same totals as aggregate(), from the rollups: [start, end) must be whole UTC hours. '' keys read back as null.
   * Totals and the per-project breakdown read the per-project rollup, agent/model/story breakdowns the full one.
   */
  async aggregateRollup(db: Executor, range: CostRange, groupBy?: Exclude<CostGroupBy, 'workflow'>): Promise<CostAggregate[]> {
    if (groupBy === undefined || groupBy === 'project') return this.aggregateProjectRollup(db, range, groupBy);
    let q = db
      .selectFrom('cost_rollup_hourly')
      .select([...ROLLUP_SUMS])
      .where('hour_start_utc', '>=', range.start)
      .where('hour_start_utc', '<', range.end)
      .groupBy('currency');
    if (range.projectId !== undefined) q = q.where('project_id', '=', range.projectId);
    if (groupBy) {
      const col = GROUP_COLUMN[groupBy];
      const rows = await q
        .select(sql<string | null>`nullif(${sql.ref(col)}, '')`.as('key'))
        .groupBy(col)
        .execute();
      return rows.map((r) => ({ key: r.key, currency: r.currency, ...sums(r) }));
    }
    const rows = await q.execute();
    return rows.map((r) => ({ key: null, currency: r.currency, ...sums(r) }));
  },

  /** Totals (per project when asked) from the per-project daily rollup: [start, end) must be whole UTC days. */
  async aggregateDailyRollup(db: Executor, range: CostRange, groupBy?: 'project'): Promise<CostAggregate[]> {
    let q = db
      .selectFrom('cost_rollup_project_daily')
      .select([...ROLLUP_SUMS, groupBy ? sql<string | null>`nullif(project_id, '')`.as('key') : sql<string | null>`null`.as('key')])
      .where('day_start_utc', '>=', range.start)
      .where('day_start_utc', '<', range.end)
      .groupBy('currency');
    if (range.projectId !== undefined) q = q.where('project_id', '=', range.projectId);
    if (groupBy) q = q.groupBy('project_id');
    const rows = await q.execute();
    return rows.map((r) => ({ key: r.key, currency: r.currency, ...sums(r) }));
  },

  async aggregateProjectRollup(db: Executor, range: CostRange, groupBy?: 'project'): Promise<CostAggregate[]> {
    let q = db
      .selectFrom('cost_rollup_project_hourly')
      .select([...ROLLUP_SUMS, groupBy ? sql<string | null>`nullif(project_id, '')`.as('key') : sql<string | null>`null`.as('key')])
      .where('hour_start_utc', '>=', range.start)
      .where('hour_start_utc', '<', range.end)
      .groupBy('currency');
    if (range.projectId !== undefined) q = q.where('project_id', '=', range.projectId);
    if (groupBy) q = q.groupBy('project_id');
    const rows = await q.execute();
    return rows.map((r) => ({ key: r.key, currency: r.currency, ...sums(r) }));
  },

  /** Per UTC hour ("YYYY-MM-DDTHH") and currency from the per-project rollup; [start, end) must be whole UTC hours. */
  async perHourRollup(db: Executor, range: CostRange): Promise<(CostAggregate & { slot: string })[]> {
    let q = db
      .selectFrom('cost_rollup_project_hourly')
      .select([sql<string>`substr(hour_start_utc, 1, 13)`.as('slot'), ...ROLLUP_SUMS])
      .where('hour_start_utc', '>=', range.start)
      .where('hour_start_utc', '<', range.end)
      .groupBy(['hour_start_utc', 'currency']);
    if (range.projectId !== undefined) q = q.where('project_id', '=', range.projectId);
    const rows = await q.execute();
    return rows.map((r) => ({ key: null, slot: r.slot, currency: r.currency, ...sums(r) }));
  },

  /** Per UTC day of the daily rollup ("YYYY-MM-DD") and currency; [start, end) must be whole UTC days. */
  async perDayRollup(db: Executor, range: CostRange): Promise<(CostAggregate & { slot: string })[]> {
    let q = db
      .selectFrom('cost_rollup_project_daily')
      .select([sql<string>`substr(day_start_utc, 1, 10)`.as('slot'), ...ROLLUP_SUMS])
      .where('day_start_utc', '>=', range.start)
      .where('day_start_utc', '<', range.end)
      .groupBy(['day_start_utc', 'currency']);
    if (range.projectId !== undefined) q = q.where('project_id', '=', range.projectId);
    const rows = await q.execute();
    return rows.map((r) => ({ key: null, slot: r.slot, currency: r.currency, ...sums(r) }));
  },
};
