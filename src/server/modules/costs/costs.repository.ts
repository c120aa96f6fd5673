import { sql, type Insertable } from 'kysely';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import type { CostEventsTable } from '../../db/schema.js';
import { GROUP_COLUMN, REQUEST_SUMS, sums, sumsPerInterval, type CostAggregate, type CostGroupBy, type CostRange } from './cost-aggregates.repository.js';
import { costRollupsRepository } from './cost-rollups.repository.js';
import { costSourceReportsRepository } from './cost-source-reports.repository.js';

export type { CostAggregate, CostGroupBy, CostRange } from './cost-aggregates.repository.js';

/** One cost row's figures, as the agent analytics rollup reads them. */
export interface CostRow {
  sourceEventId: number;
  agentId: string | null;
  currency: string | null;
  amount: number | null;
  tokens: number | null;
  occurredAt: string;
}

/** All token kinds summed, or null when the row reported none. */
const tokensExpr = sql<
  number | null
>`(case when input_tokens is null and output_tokens is null and cache_write_tokens is null and cache_read_tokens is null then null else coalesce(input_tokens, 0) + coalesce(output_tokens, 0) + coalesce(cache_write_tokens, 0) + coalesce(cache_read_tokens, 0) end)`;

/** The cost_events table: the priced (or unpriced) requests themselves. */
export const costEventsRepository = {
  /** Per workflow id and currency: the sum of known amounts, requests, unpriced requests and tokens. */
  async totalsByWorkflow(db: Executor, workflowIds: readonly string[]) {
    const out: {
      workflowId: string;
      currency: string | null;
      amount: number;
      requests: number;
      unpriced: number;
      input: number;
      output: number;
      cacheWrite: number;
      cacheRead: number;
    }[] = [];
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
    const r = await db
      .selectFrom('cost_events')
      .select(sql<string | null>`min(occurred_at_utc)`.as('at'))
      .where('session_id', '=', sessionId)
      .where('skill', '=', skill)
      .executeTakeFirst();
    return r?.at ?? null;
  },

  /** Whether any cost of this session came by this path (a session a transcript already reports). */
  async sessionSeenVia(db: Executor, sessionId: string, via: string): Promise<boolean> {
    const r = await db.selectFrom('cost_events').select('id').where('session_id', '=', sessionId).where('via', '=', via).limit(1).executeTakeFirst();
    return r !== undefined;
  },

  /** Cost per project and currency of the rows that came by one path (the start banner's "USD 41.20 attributed to …"). */
  async totalsByProjectVia(
    db: Executor,
    via: string,
  ): Promise<{ projectId: string | null; currency: string | null; amount: number; requests: number; unpriced: number }[]> {
    const rows = await db
      .selectFrom('cost_events')
      .select(['project_id', 'currency', ...REQUEST_SUMS])
      .where('via', '=', via)
      .groupBy(['project_id', 'currency'])
      .execute();
    return rows.map((r) => ({
      projectId: r.project_id,
      currency: r.currency,
      amount: Number(r.amount),
      requests: Number(r.requests),
      unpriced: Number(r.unpriced),
    }));
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
   * Per UTC hour ("YYYY-MM-DDTHH", prefix 13) or minute ("YYYY-MM-DDTHH:MM", prefix 16) and currency over the union
   * of the given disjoint [start, end) intervals: hours when every bucket boundary is on a whole UTC hour, minutes
   * otherwise (half-hour zones, unaligned ranges, the edges around rollup hours).
   */
  async perSlot(
    db: Executor,
    intervals: readonly { start: string; end: string }[],
    projectId: string | undefined,
    prefix: 13 | 16,
  ): Promise<(CostAggregate & { slot: string })[]> {
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

  /**
   * Sums per currency of the cost rows in each [start, end) (a row's `i` is its interval's index): the partial hours
   * of a time series, one row per bucket part instead of one per minute.
   */
  async sumsPerInterval(
    db: Executor,
    intervals: readonly { start: string; end: string }[],
    projectId: string | undefined,
  ): Promise<(CostAggregate & { i: number })[]> {
    const scope = projectId === undefined ? sql`` : sql` and project_id = ${projectId}`;
    return sumsPerInterval(
      db,
      intervals,
      (iv, i) =>
        sql`select ${i} as i, currency, coalesce(sum(cost_amount), 0) as amount, count(cost_amount) as priced, sum(case when cost_amount is null then 1 else 0 end) as unpriced from cost_events where occurred_at_utc >= ${iv.start} and occurred_at_utc < ${iv.end}${scope} group by currency`,
    );
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

  /** Rows the pricing table priced or could price (token counts and a model, no amount of their own), by id. */
  async repriceCandidates(db: Executor, afterId: number, limit: number) {
    return db
      .selectFrom('cost_events')
      .select([
        'id',
        'model',
        'story_id',
        'input_tokens',
        'output_tokens',
        'cache_write_tokens',
        'cache_write_5m_tokens',
        'cache_write_1h_tokens',
        'cache_read_tokens',
        'occurred_at_utc',
        'cost_amount',
        'currency',
        'price_version',
      ])
      .where('id', '>', afterId)
      .where('model', 'is not', null)
      .where((eb) => eb.or([eb('price_version', 'is not', null), eb('cost_amount', 'is', null)]))
      .orderBy('id')
      .limit(limit)
      .execute();
  },

  async setPrice(db: Executor, id: number, price: { amount: number | null; currency: string | null; priceVersion: string | null }): Promise<void> {
    await db
      .updateTable('cost_events')
      .set({ cost_amount: price.amount, currency: price.currency, price_version: price.priceVersion })
      .where('id', '=', id)
      .execute();
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

  /**
   * Figures of the cost rows recorded by events firstId..lastId, for the agent analytics rollup. A range walks the
   * unique source_event_id index once, in order; a list of a batch's ids (most of a catch-up's events are cost
   * records) cost binding each id and building a temporary b-tree of them.
   */
  async figuresOfEventRange(db: Executor, firstId: number, lastId: number): Promise<CostRow[]> {
    const rows = await db
      .selectFrom('cost_events')
      .select(['source_event_id', 'agent_id', 'currency', 'cost_amount', 'occurred_at_utc', tokensExpr.as('tokens')])
      .where('source_event_id', '>=', firstId)
      .where('source_event_id', '<=', lastId)
      .execute();
    return rows.map((r) => ({
      sourceEventId: Number(r.source_event_id),
      agentId: r.agent_id,
      currency: r.currency,
      amount: r.cost_amount,
      tokens: r.tokens,
      occurredAt: r.occurred_at_utc,
    }));
  },

  /** Cost records of an agent in a window: the sources of its cost, token and per-story figures. */
  async sourcesOfAgent(
    db: Executor,
    agentId: string,
    start: string,
    end: string,
    currency: string | null,
    throughEventId: number,
  ): Promise<{ eventId: number; amount: number | null; tokens: number | null }[]> {
    let q = db
      .selectFrom('cost_events')
      .select(['source_event_id', 'cost_amount', tokensExpr.as('tokens')])
      .where('agent_id', '=', agentId)
      .where('source_event_id', '<=', throughEventId)
      .where('occurred_at_utc', '>=', start)
      .where('occurred_at_utc', '<', end);
    if (currency !== null) q = q.where('currency', '=', currency).where('cost_amount', 'is not', null);
    const rows = await q.execute();
    return rows.map((r) => ({ eventId: Number(r.source_event_id), amount: r.cost_amount, tokens: r.tokens }));
  },

  /** Ids in (after, through] of the events cost rows and cost source reports came from (retention keeps them). */
  async sourceEventIdsBetween(db: Executor, after: number, through: number): Promise<number[]> {
    const rows = await db
      .selectFrom('cost_events')
      .select('source_event_id as id')
      .where('source_event_id', '>', after)
      .where('source_event_id', '<=', through)
      .unionAll(
        db.selectFrom('cost_source_reports').select('source_event_id as id').where('source_event_id', '>', after).where('source_event_id', '<=', through),
      )
      .execute();
    return rows.map((r) => Number(r.id));
  },
};

/**
 * The cost module's whole storage surface in one object, as callers have always used it: the cost_events reads and
 * writes above, the rollup tables (cost-rollups.repository.ts) and the cost sync reports (cost-source-reports.repository.ts).
 */
export const costsRepository = { ...costEventsRepository, ...costRollupsRepository, ...costSourceReportsRepository };
