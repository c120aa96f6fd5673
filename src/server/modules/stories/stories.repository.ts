import { sql, type Selectable } from 'kysely';
import type { Status, StoriesQuery, Story } from '../../../contracts/index.js';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import { rowsById, upsertById } from '../../db/upsert.js';
import { stampOf } from '../events/projection.js';
import type { StoriesTable } from '../../db/schema.js';
import type { CostSum } from './cost-to-date.js';

export type StoryRow = Selectable<StoriesTable>;

export function toStory(r: StoryRow): Story {
  return {
    id: r.id,
    projectId: r.project_id,
    title: r.title,
    ownerId: r.owner_id,
    status: r.status as Status | null,
    // A story with no explicit column sits in the column of its status.
    kanbanColumn: r.kanban_column ?? r.status,
    epic: r.epic,
    statusSince: r.status_at,
    updatedAt: r.updated_at,
    details: r.details_json ? (JSON.parse(r.details_json) as Story['details']) : null,
    findings: [],
    attrsVersion: stampOf(r.attrs_at, r.attrs_key),
    statusVersion: stampOf(r.status_at, r.status_key),
  };
}

// Per group and currency: the sum of known amounts, how many records had one, and how many had none.
const AMOUNT = sql<number>`coalesce(sum(cost_amount), 0)`.as('amount');
const PRICED = sql<number>`count(cost_amount)`.as('priced');
const UNPRICED = sql<number>`sum(case when cost_amount is null then 1 else 0 end)`.as('unpriced');

/** '' is the currency of the unpriced rows in story_cost_totals: cost_events has a null currency there. */
const totalToSum = (r: { story_id: string; currency: string; amount_sum: number; event_count: number; unpriced_count: number }): CostSum =>
  toSum({ key: r.story_id, currency: r.currency === '' ? null : r.currency, amount: r.amount_sum, priced: r.event_count - r.unpriced_count, unpriced: r.unpriced_count });

const toSum = (r: { key: string | null; currency: string | null; amount: number; priced: number; unpriced: number }): CostSum => ({
  key: r.key ?? '',
  currency: r.currency,
  amount: Number(r.amount),
  priced: Number(r.priced),
  unpriced: Number(r.unpriced),
});

/** A story's cost rows per agent and model (either may be null: records that name none). */
export interface CostShareSum extends CostSum {
  agentId: string | null;
  model: string | null;
}

export type StoryFilter = Omit<StoriesQuery, 'page' | 'pageSize'>;

function filtered(db: Executor, f: StoryFilter) {
  let q = db.selectFrom('stories');
  if (f.projectId) q = q.where('project_id', '=', f.projectId);
  if (f.status) q = q.where('status', 'in', f.status);
  if (f.column) {
    const column = f.column;
    q = q.where((eb) =>
      eb.or([eb('kanban_column', '=', column), eb.and([eb('kanban_column', 'is', null), eb('status', '=', column)])]),
    );
  }
  return q;
}

export const storiesRepository = {
  async list(db: Executor, f: StoryFilter, page: number, pageSize: number): Promise<{ items: Story[]; total: number }> {
    const [rows, count] = await Promise.all([
      filtered(db, f).selectAll().orderBy('updated_at', 'desc').orderBy('id').limit(pageSize).offset((page - 1) * pageSize).execute(),
      filtered(db, f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toStory), total: Number(count.n) };
  },

  async findById(db: Executor, id: string): Promise<Story | undefined> {
    const row = await db.selectFrom('stories').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toStory(row) : undefined;
  },

  async byIds(db: Executor, ids: readonly string[]): Promise<Story[]> {
    const out: Story[] = [];
    for (const part of chunks(ids)) out.push(...(await db.selectFrom('stories').selectAll().where('id', 'in', part).execute()).map(toStory));
    return out;
  },

  /** All stories of a project (board and context views), in a stable order; capped to protect the server. */
  async byProject(db: Executor, projectId: string, limit: number): Promise<Story[]> {
    const rows = await db
      .selectFrom('stories')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('epic', (ob) => ob.asc().nullsLast())
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toStory);
  },

  /** Cost to date of the given stories per currency, from the running totals (story_cost_totals). */
  async costsByStories(db: Executor, storyIds: readonly string[]): Promise<CostSum[]> {
    const out: CostSum[] = [];
    for (const part of chunks(storyIds)) {
      const rows = await db.selectFrom('story_cost_totals').selectAll().where('story_id', 'in', part).execute();
      out.push(...rows.map(totalToSum));
    }
    return out;
  },

  /** Cost to date of every story of a project per currency: one indexed read for a whole board. */
  async costsByProjectStories(db: Executor, projectId: string): Promise<CostSum[]> {
    const rows = await db
      .selectFrom('story_cost_totals')
      .selectAll()
      .where('story_id', 'in', (eb) => eb.selectFrom('stories').select('stories.id').where('stories.project_id', '=', projectId))
      .execute();
    return rows.map(totalToSum);
  },

  /** One story's cost rows per agent, model and currency. */
  async costShares(db: Executor, storyId: string): Promise<CostShareSum[]> {
    const rows = await db
      .selectFrom('cost_events')
      .select(['agent_id', 'model', 'currency', AMOUNT, PRICED, UNPRICED])
      .where('story_id', '=', storyId)
      .groupBy(['agent_id', 'model', 'currency'])
      .execute();
    return rows.map((r) => ({ ...toSum({ ...r, key: `${r.agent_id ?? ''}\u0000${r.model ?? ''}` }), agentId: r.agent_id, model: r.model }));
  },

  /** How many stories of each project are done. */
  async doneCountByProjects(db: Executor, projectIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const part of chunks(projectIds)) {
      const rows = await db
        .selectFrom('stories')
        .select((eb) => ['project_id', eb.fn.countAll<number>().as('n')])
        .where('project_id', 'in', part)
        .where('status', '=', 'done')
        .groupBy('project_id')
        .execute();
      for (const r of rows) out.set(r.project_id!, Number(r.n));
    }
    return out;
  },

  // ----- projection side -----
  rowsByIds(db: Executor, ids: readonly string[]): Promise<Map<string, StoryRow>> {
    return rowsById(db, 'stories', ids);
  },

  upsertRows(db: Executor, rows: readonly StoryRow[]): Promise<void> {
    return upsertById(db, 'stories', rows);
  },
};
