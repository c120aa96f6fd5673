import { sql } from 'kysely';

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
