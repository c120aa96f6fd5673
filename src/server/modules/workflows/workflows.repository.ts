import type { Selectable } from 'kysely';
import type { Status, Transition, Workflow, WorkflowsQuery } from '../../../contracts/index.js';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import { rowsById, upsertById } from '../../db/upsert.js';
import type { WorkflowsTable, WorkflowTransitionsTable } from '../../db/schema.js';

export type WorkflowRow = Selectable<WorkflowsTable>;

function toWorkflow(r: WorkflowRow): Workflow {
  return {
    id: r.id,
    projectId: r.project_id,
    storyId: r.story_id,
    name: r.name,
    ownerId: r.owner_id,
    agentId: r.agent_id,
    status: r.status as Status | null,
    lastTransitionAt: r.last_transition_at,
    updatedAt: r.updated_at,
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
  };
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

export const workflowsRepository = {
  async list(db: Executor, f: WorkflowFilter, page: number, pageSize: number): Promise<{ items: Workflow[]; total: number }> {
    const [rows, count] = await Promise.all([
      filtered(db, f)
        .selectAll()
        .orderBy('last_transition_at', (ob) => ob.desc().nullsLast())
        .orderBy('id')
        .limit(pageSize)
        .offset((page - 1) * pageSize)
        .execute(),
      filtered(db, f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toWorkflow), total: Number(count.n) };
  },

  async findById(db: Executor, id: string): Promise<Workflow | undefined> {
    const row = await db.selectFrom('workflows').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toWorkflow(row) : undefined;
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

  async insertTransitions(db: Executor, rows: readonly Omit<Selectable<WorkflowTransitionsTable>, 'id'>[]): Promise<void> {
    for (const part of chunks(rows)) {
      await db
        .insertInto('workflow_transitions')
        .values(part)
        .onConflict((oc) => oc.column('event_id').doNothing())
        .execute();
    }
  },
};
