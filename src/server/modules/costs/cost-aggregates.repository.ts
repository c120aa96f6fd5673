import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/handle.js';

// The shapes and SQL fragments the cost repositories share: ranges, per-group aggregates and the sums behind them.

/** What a breakdown groups by at the storage level: the rollups know the first four, `workflow` is read from cost_events. */
export type CostGroupBy = 'project' | 'agent' | 'model' | 'story' | 'workflow';
export const GROUP_COLUMN = { project: 'project_id', agent: 'agent_id', model: 'model', story: 'story_id', workflow: 'workflow_name' } as const;

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
export const ROLLUP_SUMS = [
  sql<string | null>`nullif(currency, '')`.as('currency'),
  sql<number>`coalesce(sum(amount_sum), 0)`.as('amount'),
  sql<number>`sum(event_count - unpriced_count)`.as('priced'),
  sql<number>`sum(unpriced_count)`.as('unpriced'),
] as const;

/** SQLite sums come back as numbers, Postgres ones as strings: one place turns them into numbers. */
export const sums = (r: { amount: number | string; priced: number | string; unpriced: number | string }) => ({
  amount: Number(r.amount),
  priced: Number(r.priced),
  unpriced: Number(r.unpriced),
});

/** What a cost_events read sums per group: known amounts, requests, and requests without a price. */
export const REQUEST_SUMS = [
  sql<number>`coalesce(sum(cost_amount), 0)`.as('amount'),
  sql<number>`count(*)`.as('requests'),
  sql<number>`sum(case when cost_amount is null then 1 else 0 end)`.as('unpriced'),
] as const;

/** What rebuilding a coarser rollup from a finer one sums (the finer rows' own sums, added up). */
export const ROLLUP_RESUMS = [
  sql<number>`sum(amount_sum)`.as('amount_sum'),
  sql<number>`sum(event_count)`.as('event_count'),
  sql<number>`sum(unpriced_count)`.as('unpriced_count'),
] as const;

/** A sums row of one interval: `i` is its index in the list asked for. */
export type IntervalSums = { i: number; currency: string | null; amount: number | string; priced: number | string; unpriced: number | string };

/**
 * One statement per 100 intervals, each a UNION ALL part that is an index range: SQLite answers OR-ed ranges with a
 * scan of the whole table, and caps a compound select at 500 parts. Written as templates: Kysely's builder took longer
 * to assemble a 100-part union than SQLite took to run it.
 */
export async function sumsPerInterval(
  db: Executor,
  intervals: readonly { start: string; end: string }[],
  part: (iv: { start: string; end: string }, index: RawBuilder<number>) => RawBuilder<unknown>,
): Promise<(CostAggregate & { i: number })[]> {
  const out: (CostAggregate & { i: number })[] = [];
  for (let from = 0; from < intervals.length; from += 100) {
    const parts = intervals.slice(from, from + 100).map((iv, j) => part(iv, sql<number>`${sql.lit(from + j)}`));
    const { rows } = await sql<IntervalSums>`${sql.join(parts, sql` union all `)}`.execute(db);
    for (const r of rows) out.push({ key: null, i: Number(r.i), currency: r.currency, ...sums(r) });
  }
  return out;
}
