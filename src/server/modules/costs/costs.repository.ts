import { sql, type Insertable } from 'kysely';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import type { CostEventsTable, CostSourceReportsTable } from '../../db/schema.js';

export type CostGroupBy = 'project' | 'agent' | 'model' | 'story';
const GROUP_COLUMN = { project: 'project_id', agent: 'agent_id', model: 'model', story: 'story_id' } as const;

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

export const costsRepository = {
  async insertMany(db: Executor, rows: readonly Insertable<CostEventsTable>[]): Promise<void> {
    for (const part of chunks(rows)) {
      await db
        .insertInto('cost_events')
        .values(part)
        .onConflict((oc) => oc.column('source_event_id').doNothing())
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
      return rows.map((r) => ({ key: r.key, currency: r.currency, amount: Number(r.amount), priced: Number(r.priced), unpriced: Number(r.unpriced) }));
    }
    const rows = await q.execute();
    return rows.map((r) => ({ key: null, currency: r.currency, amount: Number(r.amount), priced: Number(r.priced), unpriced: Number(r.unpriced) }));
  },

  /**
   * Per UTC hour ("YYYY-MM-DDTHH", prefix 13) or minute ("YYYY-MM-DDTHH:MM", prefix 16) and currency in [start, end):
   * hours when every bucket boundary is on a whole UTC hour, minutes otherwise (half-hour zones, unaligned ranges).
   */
  async perSlot(db: Executor, range: CostRange, prefix: 13 | 16): Promise<(CostAggregate & { slot: string })[]> {
    let q = db
      .selectFrom('cost_events')
      .select((eb) => [
        sql<string>`substr(occurred_at_utc, 1, ${sql.lit(prefix)})`.as('slot'),
        'currency',
        eb.fn.coalesce(eb.fn.sum<number>('cost_amount'), sql<number>`0`).as('amount'),
        eb.fn.count<number>('cost_amount').as('priced'),
        sql<number>`sum(case when cost_amount is null then 1 else 0 end)`.as('unpriced'),
      ])
      .where('occurred_at_utc', '>=', range.start)
      .where('occurred_at_utc', '<', range.end)
      .groupBy([sql`substr(occurred_at_utc, 1, ${sql.lit(prefix)})`, 'currency']);
    if (range.projectId !== undefined) q = q.where('project_id', '=', range.projectId);
    const rows = await q.execute();
    return rows.map((r) => ({ key: null, slot: r.slot, currency: r.currency, amount: Number(r.amount), priced: Number(r.priced), unpriced: Number(r.unpriced) }));
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
      .select(['id', 'model', 'input_tokens', 'output_tokens', 'cache_write_tokens', 'cache_read_tokens', 'occurred_at_utc', 'cost_amount', 'currency', 'price_version'])
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
