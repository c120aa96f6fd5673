import { sql, type Insertable } from 'kysely';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import type { CostEventsTable, CostSourceReportsTable } from '../../db/schema.js';
import { byDay, byProject, byStory, DAY_MS, HOUR_MS, type RollupDelta } from './cost-rollup.js';

const ROLLUP_KEY = ['hour_start_utc', 'project_id', 'agent_id', 'model', 'story_id', 'currency'] as const;

/** What a breakdown groups by at the storage level: the rollups know the first four, `workflow` is read from cost_events. */
export type CostGroupBy = 'project' | 'agent' | 'model' | 'story' | 'workflow';
const GROUP_COLUMN = { project: 'project_id', agent: 'agent_id', model: 'model', story: 'story_id', workflow: 'workflow_name' } as const;

export interface CostRange {
  /** Inclusive UTC instant (ISO, as stored). */
  start: string;
  /** Exclusive UTC instant. */
  end: string;
  projectId?: string | undefined;
}

/** Per group and currency: the sum of known amounts, how many rows had one, and how many had none (currency null). */
export interface CostAggregate {
  key: string | null;
  currency: string | null;
  amount: number;
  priced: number;
  unpriced: number;
}

/** What every rollup read sums, with '' (the currency of the unpriced rows) read back as null. */
const ROLLUP_SUMS = [
  sql<string | null>`nullif(currency, '')`.as('currency'),
  sql<number>`coalesce(sum(amount_sum), 0)`.as('amount'),
  sql<number>`sum(event_count - unpriced_count)`.as('priced'),
  sql<number>`sum(unpriced_count)`.as('unpriced'),
] as const;

/** SQLite sums come back as numbers, Postgres ones as strings: one place turns them into numbers. */
const sums = (r: { amount: number | string; priced: number | string; unpriced: number | string }) => ({ amount: Number(r.amount), priced: Number(r.priced), unpriced: Number(r.unpriced) });

/** What a cost_events read sums per group: known amounts, requests, and requests without a price. */
const REQUEST_SUMS = [
  sql<number>`coalesce(sum(cost_amount), 0)`.as('amount'),
  sql<number>`count(*)`.as('requests'),
  sql<number>`sum(case when cost_amount is null then 1 else 0 end)`.as('unpriced'),
] as const;

export const costsRepository = {
  /** Per workflow id and currency: the sum of known amounts, requests, unpriced requests and tokens. */
  async totalsByWorkflow(db: Executor, workflowIds: readonly string[]) {
    const out: { workflowId: string; currency: string | null; amount: number; requests: number; unpriced: number; input: number; output: number; cacheWrite: number; cacheRead: number }[] = [];
    for (const part of chunks(workflowIds)) {
      const rows = await db
        .selectFrom('cost_events')
        .select([
          'workflow_id',
          'currency',
          ...REQUEST_SUMS,
          sql<number>`coalesce(sum(input_tokens), 0)`.as('input'),
          sql<number>`coalesce(sum(output_tokens), 0)`.as('output'),
          sql<number>`coalesce(sum(cache_write_tokens), 0)`.as('cache_write'),
          sql<number>`coalesce(sum(cache_read_tokens), 0)`.as('cache_read'),
        ])
        .where('workflow_id', 'in', part)
        .groupBy(['workflow_id', 'currency'])
        .execute();
      for (const r of rows) {
        out.push({
          workflowId: r.workflow_id!,
          currency: r.currency,
          amount: Number(r.amount),
          requests: Number(r.requests),
          unpriced: Number(r.unpriced),
          input: Number(r.input),
          output: Number(r.output),
          cacheWrite: Number(r.cache_write),
          cacheRead: Number(r.cache_read),
        });
      }
    }
    return out;
  },

  /** When a session first ran a skill (its earliest costed request under it), or null. */
  async firstRequestAt(db: Executor, sessionId: string, skill: string): Promise<string | null> {
    const r = await db.selectFrom('cost_events').select(sql<string | null>`min(occurred_at_utc)`.as('at')).where('session_id', '=', sessionId).where('skill', '=', skill).executeTakeFirst();
    return r?.at ?? null;
  },

  /** Whether any cost of this session came by this path (a session a transcript already reports). */
  async sessionSeenVia(db: Executor, sessionId: string, via: string): Promise<boolean> {
    const r = await db.selectFrom('cost_events').select('id').where('session_id', '=', sessionId).where('via', '=', via).limit(1).executeTakeFirst();
    return r !== undefined;
  },

  /** Cost per project and currency of the rows that came by one path (the start banner's "USD 41.20 attributed to …"). */
  async totalsByProjectVia(db: Executor, via: string): Promise<{ projectId: string | null; currency: string | null; amount: number; requests: number; unpriced: number }[]> {
    const rows = await db
      .selectFrom('cost_events')
      .select([
        'project_id',
        'currency',
        ...REQUEST_SUMS,
      ])
      .where('via', '=', via)
      .groupBy(['project_id', 'currency'])
      .execute();
    return rows.map((r) => ({ projectId: r.project_id, currency: r.currency, amount: Number(r.amount), requests: Number(r.requests), unpriced: Number(r.unpriced) }));
  },

  /**
   * Inserts cost rows (one per event and one per request id, idempotent: a conflict on either is skipped) and returns
   * the source event ids of the rows actually inserted.
   */
  async insertMany(db: Executor, rows: readonly Insertable<CostEventsTable>[]): Promise<Set<number>> {
    const inserted = new Set<number>();
    for (const part of chunks(rows)) {
      const done = await db
        .insertInto('cost_events')
        .values(part)
        .onConflict((oc) => oc.doNothing())
        .returning('source_event_id')
        .execute();
      for (const r of done) inserted.add(r.source_event_id);
    }
    return inserted;
  },

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

  /**
   * Recomputes the rollup rows of whole UTC hours from cost_events (after rows changed in place, as reprice does).
   * A rebuild rather than +/- deltas: subtracting floats leaves residue, and a rebuilt hour is exact by construction.
   */
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

  async rebuildRollupHours(db: Executor, hourStarts: Iterable<string>): Promise<void> {
    const days = new Set<string>();
    for (const hour of hourStarts) {
      days.add(`${hour.slice(0, 10)}T00:00:00.000Z`);
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
            .groupBy([sql`coalesce(project_id, '')`, sql`coalesce(agent_id, '')`, sql`coalesce(model, '')`, sql`coalesce(story_id, '')`, sql`coalesce(currency, '')`]),
        )
        .execute();
      await db
        .insertInto('cost_rollup_project_hourly')
        .columns(['hour_start_utc', 'project_id', 'currency', 'amount_sum', 'event_count', 'unpriced_count'])
        .expression(
          db
            .selectFrom('cost_rollup_hourly')
            .select(['hour_start_utc', 'project_id', 'currency', sql<number>`sum(amount_sum)`.as('amount_sum'), sql<number>`sum(event_count)`.as('event_count'), sql<number>`sum(unpriced_count)`.as('unpriced_count')])
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
            .select([sql<string>`${day}`.as('day_start_utc'), 'project_id', 'currency', sql<number>`sum(amount_sum)`.as('amount_sum'), sql<number>`sum(event_count)`.as('event_count'), sql<number>`sum(unpriced_count)`.as('unpriced_count')])
            .where('hour_start_utc', '>=', day)
            .where('hour_start_utc', '<', end)
            .groupBy(['project_id', 'currency']),
        )
        .execute();
    }
  },

  async insertSourceReports(db: Executor, rows: readonly Insertable<CostSourceReportsTable>[]): Promise<void> {
    for (const part of chunks(rows)) {
      await db
        .insertInto('cost_source_reports')
        .values(part)
        .onConflict((oc) => oc.column('source_event_id').doNothing())
        .execute();
    }
  },

  /** Totals in [start, end) per currency, and per group key when groupBy is given. */
  async aggregate(db: Executor, range: CostRange, groupBy?: CostGroupBy): Promise<CostAggregate[]> {
    let q = db
      .selectFrom('cost_events')
      .select((eb) => [
        'currency',
        eb.fn.coalesce(eb.fn.sum<number>('cost_amount'), sql<number>`0`).as('amount'),
        eb.fn.count<number>('cost_amount').as('priced'),
        sql<number>`sum(case when cost_amount is null then 1 else 0 end)`.as('unpriced'),
      ])
      .where('occurred_at_utc', '>=', range.start)
      .where('occurred_at_utc', '<', range.end)
      .groupBy('currency');
    if (range.projectId !== undefined) q = q.where('project_id', '=', range.projectId);
    if (groupBy) {
      const col = GROUP_COLUMN[groupBy];
      const rows = await q.select(sql.ref<string | null>(col).as('key')).groupBy(col).execute();
      return rows.map((r) => ({ key: r.key, currency: r.currency, ...sums(r) }));
    }
    const rows = await q.execute();
    return rows.map((r) => ({ key: null, currency: r.currency, ...sums(r) }));
  },

  /**
   * The same totals as aggregate(), from the rollups: [start, end) must be whole UTC hours. '' keys read back as null.
   * Totals and the per-project breakdown read the per-project rollup, agent/model/story breakdowns the full one.
   */
  async aggregateRollup(db: Executor, range: CostRange, groupBy?: Exclude<CostGroupBy, 'workflow'>): Promise<CostAggregate[]> {
    if (groupBy === undefined || groupBy === 'project') return this.aggregateProjectRollup(db, range, groupBy);
    let q = db
      .selectFrom('cost_rollup_hourly')
      .select([
        ...ROLLUP_SUMS,
      ])
      .where('hour_start_utc', '>=', range.start)
      .where('hour_start_utc', '<', range.end)
      .groupBy('currency');
    if (range.projectId !== undefined) q = q.where('project_id', '=', range.projectId);
    if (groupBy) {
      const col = GROUP_COLUMN[groupBy];
      const rows = await q.select(sql<string | null>`nullif(${sql.ref(col)}, '')`.as('key')).groupBy(col).execute();
      return rows.map((r) => ({ key: r.key, currency: r.currency, ...sums(r) }));
    }
    const rows = await q.execute();
    return rows.map((r) => ({ key: null, currency: r.currency, ...sums(r) }));
  },

  /** Totals (per project when asked) from the per-project daily rollup: [start, end) must be whole UTC days. */
  async aggregateDailyRollup(db: Executor, range: CostRange, groupBy?: 'project'): Promise<CostAggregate[]> {
    let q = db
      .selectFrom('cost_rollup_project_daily')
      .select([
        ...ROLLUP_SUMS,
        groupBy ? sql<string | null>`nullif(project_id, '')`.as('key') : sql<string | null>`null`.as('key'),
      ])
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
      .select([
        ...ROLLUP_SUMS,
        groupBy ? sql<string | null>`nullif(project_id, '')`.as('key') : sql<string | null>`null`.as('key'),
      ])
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
      .select([
        sql<string>`substr(hour_start_utc, 1, 13)`.as('slot'),
        ...ROLLUP_SUMS,
      ])
      .where('hour_start_utc', '>=', range.start)
      .where('hour_start_utc', '<', range.end)
      .groupBy(['hour_start_utc', 'currency']);
    if (range.projectId !== undefined) q = q.where('project_id', '=', range.projectId);
    const rows = await q.execute();
    return rows.map((r) => ({ key: null, slot: r.slot, currency: r.currency, ...sums(r) }));
  },

  /**
   * Per UTC hour ("YYYY-MM-DDTHH", prefix 13) or minute ("YYYY-MM-DDTHH:MM", prefix 16) and currency over the union
   * of the given disjoint [start, end) intervals: hours when every bucket boundary is on a whole UTC hour, minutes
   * otherwise (half-hour zones, unaligned ranges, the edges around rollup hours).
   */
  async perSlot(db: Executor, intervals: readonly { start: string; end: string }[], projectId: string | undefined, prefix: 13 | 16): Promise<(CostAggregate & { slot: string })[]> {
    const out: (CostAggregate & { slot: string })[] = [];
    // A few dozen OR-ed ranges per statement, each an index range on the time index (callers pass intervals at least
    // an hour apart, so one slot never gathers rows of two intervals).
    for (const part of chunks(intervals, 50)) {
      let q = db
        .selectFrom('cost_events')
        .select((eb) => [
          sql<string>`substr(occurred_at_utc, 1, ${sql.lit(prefix)})`.as('slot'),
          'currency',
          eb.fn.coalesce(eb.fn.sum<number>('cost_amount'), sql<number>`0`).as('amount'),
          eb.fn.count<number>('cost_amount').as('priced'),
          sql<number>`sum(case when cost_amount is null then 1 else 0 end)`.as('unpriced'),
        ])
        .where((eb) => eb.or(part.map((i) => eb.and([eb('occurred_at_utc', '>=', i.start), eb('occurred_at_utc', '<', i.end)]))))
        .groupBy([sql`substr(occurred_at_utc, 1, ${sql.lit(prefix)})`, 'currency']);
      if (projectId !== undefined) q = q.where('project_id', '=', projectId);
      const rows = await q.execute();
      for (const r of rows) out.push({ key: null, slot: r.slot, currency: r.currency, ...sums(r) });
    }
    return out;
  },

  /** Per UTC day of the daily rollup ("YYYY-MM-DD") and currency; [start, end) must be whole UTC days. */
  async perDayRollup(db: Executor, range: CostRange): Promise<(CostAggregate & { slot: string })[]> {
    let q = db
      .selectFrom('cost_rollup_project_daily')
      .select([
        sql<string>`substr(day_start_utc, 1, 10)`.as('slot'),
        ...ROLLUP_SUMS,
      ])
      .where('day_start_utc', '>=', range.start)
      .where('day_start_utc', '<', range.end)
      .groupBy(['day_start_utc', 'currency']);
    if (range.projectId !== undefined) q = q.where('project_id', '=', range.projectId);
    const rows = await q.execute();
    return rows.map((r) => ({ key: null, slot: r.slot, currency: r.currency, ...sums(r) }));
  },

  /** Known amounts of one currency in [start, end), oldest first (finding when cumulative spend crossed a budget). */
  async amountsIn(db: Executor, range: CostRange, currency: string): Promise<{ occurredAt: string; amount: number }[]> {
    let q = db
      .selectFrom('cost_events')
      .select(['occurred_at_utc', 'cost_amount'])
      .where('occurred_at_utc', '>=', range.start)
      .where('occurred_at_utc', '<', range.end)
      .where('currency', '=', currency)
      .where('cost_amount', 'is not', null)
      .orderBy('occurred_at_utc')
      .orderBy('id');
    if (range.projectId !== undefined) q = q.where('project_id', '=', range.projectId);
    const rows = await q.execute();
    return rows.map((r) => ({ occurredAt: r.occurred_at_utc, amount: r.cost_amount! }));
  },

  /** Whether any cost source is known before `end`: a cost row (of the project, when given) or an ok cost sync report. */
  async anySourceBefore(db: Executor, end: string, projectId?: string): Promise<boolean> {
    let q = db.selectFrom('cost_events').select('id').where('occurred_at_utc', '<', end).limit(1);
    if (projectId !== undefined) q = q.where('project_id', '=', projectId);
    if (await q.executeTakeFirst()) return true;
    const report = await db
      .selectFrom('cost_source_reports')
      .select('source_event_id')
      .where('status', '=', 'ok')
      .where('covers_from_utc', '<', end)
      .limit(1)
      .executeTakeFirst();
    return report !== undefined;
  },

  /** Ok cost sync reports whose covered interval [covers_from, occurred_at] meets [start, end). */
  async okReportsOverlapping(db: Executor, start: string, end: string): Promise<{ from: string; to: string }[]> {
    const rows = await db
      .selectFrom('cost_source_reports')
      .select(['covers_from_utc', 'occurred_at_utc'])
      .where('status', '=', 'ok')
      .where('covers_from_utc', '<', end)
      .where('occurred_at_utc', '>=', start)
      .orderBy('covers_from_utc')
      .execute();
    return rows.map((r) => ({ from: r.covers_from_utc, to: r.occurred_at_utc }));
  },

  /** Rows the pricing table priced or could price (token counts and a model, no amount of their own), by id. */
  async repriceCandidates(db: Executor, afterId: number, limit: number) {
    return db
      .selectFrom('cost_events')
      .select(['id', 'model', 'story_id', 'input_tokens', 'output_tokens', 'cache_write_tokens', 'cache_write_5m_tokens', 'cache_write_1h_tokens', 'cache_read_tokens', 'occurred_at_utc', 'cost_amount', 'currency', 'price_version'])
      .where('id', '>', afterId)
      .where('model', 'is not', null)
      .where((eb) => eb.or([eb('price_version', 'is not', null), eb('cost_amount', 'is', null)]))
      .orderBy('id')
      .limit(limit)
      .execute();
  },

  async setPrice(db: Executor, id: number, price: { amount: number | null; currency: string | null; priceVersion: string | null }): Promise<void> {
    await db.updateTable('cost_events').set({ cost_amount: price.amount, currency: price.currency, price_version: price.priceVersion }).where('id', '=', id).execute();
  },

  /** The most recent cost rows (snapshot for live clients until the cost module's own views exist). */
  async recent(db: Executor, limit: number) {
    const rows = await db.selectFrom('cost_events').selectAll().orderBy('occurred_at_utc', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({
      eventId: r.source_event_id,
      projectId: r.project_id,
      workflowId: r.workflow_id,
      agentId: r.agent_id,
      storyId: r.story_id,
      model: r.model,
      amount: r.cost_amount,
      currency: r.currency,
      tokens: { input: r.input_tokens, output: r.output_tokens, cacheWrite: r.cache_write_tokens, cacheRead: r.cache_read_tokens },
      occurredAt: r.occurred_at_utc,
    }));
  },
};
