import { sql, type Selectable } from 'kysely';
import type { SeenIn, Status, Transition, Workflow, WorkflowsQuery } from '../../../contracts/index.js';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import { rowsById, upsertById } from '../../db/upsert.js';
import { stampOf } from '../events/data.js';
import type { storiesRepository } from '../stories/index.js';
import type { WorkflowsTable, WorkflowTransitionsTable } from '../../db/schema.js';

export type WorkflowRow = Selectable<WorkflowsTable>;

function toWorkflow(r: WorkflowRow, storyTitles: ReadonlyMap<string, string>): Workflow {
  return {
    id: r.id,
    projectId: r.project_id,
    storyId: r.story_id,
    storyTitle: r.story_id ? (storyTitles.get(r.story_id) ?? null) : null,
    name: r.name,
    ownerId: r.owner_id,
    agentId: r.agent_id,
    status: r.status as Status | null,
    lastTransitionAt: r.last_transition_at,
    updatedAt: r.updated_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    cost: null,
    sessions: [],
    attrsVersion: stampOf(r.attrs_at, r.attrs_key),
    statusVersion: stampOf(r.last_transition_at, r.status_key),
  };
}

function toTransition(r: Selectable<WorkflowTransitionsTable>): Transition {
  return {
    id: r.id,
    workflowId: r.workflow_id,
    eventId: r.event_id,
    fromStatus: r.from_status as Status | null,
    toStatus: r.to_status as Status,
    occurredAt: r.occurred_at_utc,
    actorId: r.actor_id,
    reason: r.reason,
    seenIn: (r.seen_in as SeenIn | null) ?? null,
    commit: r.commit_hash ? { hash: r.commit_hash, subject: r.commit_subject } : null,
  };
}

/** Where runs get their stories' titles: handed in, because the stories module reads this one's runs. */
export type StoryTitles = Pick<typeof storiesRepository, 'titlesOf'>;

/** The titles of the stories the rows name, for labels: one query per chunk of ids, not one per row. */
function storyTitles(db: Executor, stories: StoryTitles, rows: readonly WorkflowRow[]): Promise<Map<string, string>> {
  return stories.titlesOf(db, [...new Set(rows.map((r) => r.story_id).filter((id): id is string => id !== null))]);
}

export type WorkflowFilter = Omit<WorkflowsQuery, 'page' | 'pageSize'>;

function filtered(db: Executor, f: WorkflowFilter) {
  let q = db.selectFrom('workflows');
  if (f.status) q = q.where('status', 'in', f.status);
  if (f.ownerId) q = q.where('owner_id', '=', f.ownerId);
  if (f.projectId) q = q.where('project_id', '=', f.projectId);
  if (f.agentId) q = q.where('agent_id', '=', f.agentId);
  if (f.storyId) q = q.where('story_id', '=', f.storyId);
  return q;
}

async function newestFirst(db: Executor, f: WorkflowFilter, limit: number, offset: number, stories: StoryTitles): Promise<Workflow[]> {
  const rows = await filtered(db, f)
    .selectAll()
    .orderBy('last_transition_at', (ob) => ob.desc().nullsLast())
    .orderBy('id')
    .limit(limit)
    .offset(offset)
    .execute();
  const titles = await storyTitles(db, stories, rows);
  return rows.map((r) => toWorkflow(r, titles));
}

export const workflowsRepository = {
  async list(db: Executor, f: WorkflowFilter, page: number, pageSize: number, stories: StoryTitles): Promise<{ items: Workflow[]; total: number }> {
    const [items, count] = await Promise.all([
      newestFirst(db, f, pageSize, (page - 1) * pageSize, stories),
      filtered(db, f)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    return { items, total: Number(count.n) };
  },

  /** Newest first, without the total: for readers that show the first `limit` and only ask whether there are more. */
  recent: (db: Executor, f: WorkflowFilter, limit: number, stories: StoryTitles): Promise<Workflow[]> => newestFirst(db, f, limit, 0, stories),

  async findById(db: Executor, id: string, stories: StoryTitles): Promise<Workflow | undefined> {
    const row = await db.selectFrom('workflows').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toWorkflow(row, await storyTitles(db, stories, [row])) : undefined;
  },

  /** The most recent `limit` transitions, returned oldest first (a timeline). */
  async transitions(db: Executor, workflowId: string, limit: number): Promise<Transition[]> {
    const rows = await db
      .selectFrom('workflow_transitions')
      .selectAll()
      .where('workflow_id', '=', workflowId)
      .orderBy('occurred_at_utc', 'desc')
      .orderBy('event_id', 'desc')
      .limit(limit)
      .execute();
    return rows.reverse().map(toTransition);
  },

  // ----- projection side -----
  rowsByIds(db: Executor, ids: readonly string[]): Promise<Map<string, WorkflowRow>> {
    return rowsById(db, 'workflows', ids);
  },

  upsertRows(db: Executor, rows: readonly WorkflowRow[]): Promise<void> {
    return upsertById(db, 'workflows', rows);
  },

  async deleteRows(db: Executor, ids: readonly string[]): Promise<void> {
    for (const part of chunks(ids)) await db.deleteFrom('workflows').where('id', 'in', part).execute();
  },

  async insertTransitions(db: Executor, rows: readonly Omit<Selectable<WorkflowTransitionsTable>, 'id'>[]): Promise<void> {
    const plain = rows.filter((r) => r.transition_key === null);
    for (const part of chunks(plain)) {
      await db
        .insertInto('workflow_transitions')
        .values(part)
        .onConflict((oc) => oc.column('event_id').doNothing())
        .execute();
    }
    // Keyed: one row per key, at the earliest time it was reported, linked to a commit once one reports it.
    for (const row of rows) {
      if (row.transition_key === null) continue;
      await db
        .insertInto('workflow_transitions')
        .values(row)
        .onConflict((oc) =>
          oc.column('transition_key').doUpdateSet((eb) => ({
            // A case, not SQLite's two-argument min(): the same statement runs on Postgres.
            occurred_at_utc: sql<string>`case when ${eb.ref('excluded.occurred_at_utc')} < ${eb.ref('workflow_transitions.occurred_at_utc')} then ${eb.ref('excluded.occurred_at_utc')} else ${eb.ref('workflow_transitions.occurred_at_utc')} end`,
            event_id: sql<number>`case when ${eb.ref('excluded.occurred_at_utc')} < ${eb.ref('workflow_transitions.occurred_at_utc')} then ${eb.ref('excluded.event_id')} else ${eb.ref('workflow_transitions.event_id')} end`,
            commit_hash: sql<string>`coalesce(${eb.ref('excluded.commit_hash')}, ${eb.ref('workflow_transitions.commit_hash')})`,
            commit_subject: sql<string>`case when ${eb.ref('excluded.commit_hash')} is not null then ${eb.ref('excluded.commit_subject')} else ${eb.ref('workflow_transitions.commit_subject')} end`,
            seen_in: sql<string>`case when ${eb.ref('excluded.commit_hash')} is not null then 'commit' else ${eb.ref('workflow_transitions.seen_in')} end`,
            actor_id: sql<string>`coalesce(${eb.ref('workflow_transitions.actor_id')}, ${eb.ref('excluded.actor_id')})`,
          })),
        )
        .execute();
    }
  },

  /** The agent and story each of these workflows is linked to. */
  async linksOf(db: Executor, ids: readonly string[]): Promise<Map<string, { agentId: string | null; storyId: string | null }>> {
    const out = new Map<string, { agentId: string | null; storyId: string | null }>();
    for (const part of chunks(ids)) {
      const rows = await db.selectFrom('workflows').select(['id', 'agent_id', 'story_id']).where('id', 'in', part).execute();
      for (const r of rows) out.set(r.id, { agentId: r.agent_id, storyId: r.story_id });
    }
    return out;
  },

  /** The agents that ran a workflow on each story, sorted. */
  async agentsOfStories(db: Executor, storyIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const part of chunks(storyIds)) {
      const rows = await db
        .selectFrom('workflows')
        .select(['story_id', 'agent_id'])
        .distinct()
        .where('story_id', 'in', part)
        .where('agent_id', 'is not', null)
        .execute();
      for (const r of rows) out.set(r.story_id!, [...(out.get(r.story_id!) ?? []), r.agent_id!].sort());
    }
    return out;
  },

  /** Display names by workflow id (workflows without a name are left out). */
  async namesOf(db: Executor, ids: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const part of chunks(ids))
      for (const r of await db.selectFrom('workflows').select(['id', 'name']).where('id', 'in', part).execute()) if (r.name) out.set(r.id, r.name);
    return out;
  },

  /** Ids in (after, through] of the events run transitions came from (retention keeps them). */
  async transitionEventIdsBetween(db: Executor, after: number, through: number): Promise<number[]> {
    const rows = await db.selectFrom('workflow_transitions').select('event_id').where('event_id', '>', after).where('event_id', '<=', through).execute();
    return rows.map((r) => Number(r.event_id));
  },
};
