import { sql } from 'kysely';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import type { CostSum } from '../stories/index.js';

// Per group and currency: the sum of known amounts, how many records had one, and how many had none.
const AMOUNT = sql<number>`coalesce(sum(cost_amount), 0)`.as('amount');
const PRICED = sql<number>`count(cost_amount)`.as('priced');
const UNPRICED = sql<number>`sum(case when cost_amount is null then 1 else 0 end)`.as('unpriced');

const toSum = (r: { key: string | null; currency: string | null; amount: number; priced: number; unpriced: number }): CostSum => ({
  key: r.key ?? '',
  currency: r.currency,
  amount: Number(r.amount),
  priced: Number(r.priced),
  unpriced: Number(r.unpriced),
});

/** '' is the currency of the unpriced rows in story_cost_totals: cost_events has a null currency there. */
const totalToSum = (r: { story_id: string; currency: string; amount_sum: number; event_count: number; unpriced_count: number }): CostSum =>
  toSum({
    key: r.story_id,
    currency: r.currency === '' ? null : r.currency,
    amount: r.amount_sum,
    priced: r.event_count - r.unpriced_count,
    unpriced: r.unpriced_count,
  });

/** A story's cost rows per agent and model (either may be null: records that name none). */
export interface CostShareSum extends CostSum {
  agentId: string | null;
  model: string | null;
}

/** Cost to date per story and per project, in the shape the story and project pages fold (stories' costToDate). */
export const costSumsRepository = {
  /** Cost to date of the given stories per currency, from the running totals (story_cost_totals). */
  async byStories(db: Executor, storyIds: readonly string[]): Promise<CostSum[]> {
    const out: CostSum[] = [];
    for (const part of chunks(storyIds)) {
      const rows = await db.selectFrom('story_cost_totals').selectAll().where('story_id', 'in', part).execute();
      out.push(...rows.map(totalToSum));
    }
    return out;
  },

  /** One story's cost rows per agent, model and currency. */
  async sharesOfStory(db: Executor, storyId: string): Promise<CostShareSum[]> {
    const rows = await db
      .selectFrom('cost_events')
      .select(['agent_id', 'model', 'currency', AMOUNT, PRICED, UNPRICED])
      .where('story_id', '=', storyId)
      .groupBy(['agent_id', 'model', 'currency'])
      .execute();
    return rows.map((r) => ({ ...toSum({ ...r, key: `${r.agent_id ?? ''}\u0000${r.model ?? ''}` }), agentId: r.agent_id, model: r.model }));
  },

  /**
   * Cost rows naming each project, per currency: the same rows /costs?projectId= sums (by the record's project, not
   * its story's), so the project card and the cost page agree.
   */
  async byProjects(db: Executor, projectIds: readonly string[]): Promise<CostSum[]> {
    const out: CostSum[] = [];
    for (const part of chunks(projectIds)) {
      // The daily per-project rollup holds the same sums in a few rows per day ('' is the unpriced rows' currency).
      const rows = await db
        .selectFrom('cost_rollup_project_daily')
        .select([
          'project_id',
          'currency',
          sql<number>`sum(amount_sum)`.as('amount'),
          sql<number>`sum(event_count - unpriced_count)`.as('priced'),
          sql<number>`sum(unpriced_count)`.as('unpriced'),
        ])
        .where('project_id', 'in', part)
        .groupBy(['project_id', 'currency'])
        .execute();
      out.push(
        ...rows.map((r) => ({
          key: r.project_id,
          currency: r.currency === '' ? null : r.currency,
          amount: Number(r.amount),
          priced: Number(r.priced),
          unpriced: Number(r.unpriced),
        })),
      );
    }
    return out;
  },
};
