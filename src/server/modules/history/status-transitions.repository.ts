import type { Selectable } from 'kysely';
import type { SeenIn, Status, StatusChange } from '../../../contracts/index.js';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import type { StatusTransitionsTable } from '../../db/schema.js';
import { upsertByKey } from '../../db/upsert.js';

export type StatusTransitionRow = Selectable<StatusTransitionsTable>;
export type TransitionEntity = 'story' | 'epic';

export function toStatusChange(r: StatusTransitionRow): StatusChange {
  return {
    transitionKey: r.transition_key,
    fromStatus: r.from_status as Status | null,
    toStatus: r.to_status as Status,
    fromColumn: r.from_column,
    toColumn: r.to_column,
    occurredAt: r.occurred_at_utc,
    actorId: r.actor_id,
    reason: r.reason,
    seenIn: r.seen_in as SeenIn | null,
    commit: r.commit_hash ? { hash: r.commit_hash, subject: r.commit_subject } : null,
    eventId: r.event_id,
  };
}

const chronological = (a: StatusTransitionRow, b: StatusTransitionRow) =>
  a.occurred_at_utc < b.occurred_at_utc ? -1 : a.occurred_at_utc > b.occurred_at_utc ? 1 : a.event_id - b.event_id;

export const statusTransitionsRepository = {
  /** One entity's changes, oldest first; `limit` newest are kept when there are more. */
  async forEntity(db: Executor, entity: TransitionEntity, id: string, limit: number): Promise<{ items: StatusChange[]; truncated: boolean }> {
    const rows = await db
      .selectFrom('status_transitions')
      .selectAll()
      .where('entity_type', '=', entity)
      .where('entity_id', '=', id)
      .orderBy('occurred_at_utc', 'desc')
      .orderBy('event_id', 'desc')
      .limit(limit + 1)
      .execute();
    return { items: rows.slice(0, limit).reverse().map(toStatusChange), truncated: rows.length > limit };
  },

  /** Every story transition of a project up to `before`, oldest first (the flow charts fold them in time order). */
  async storyTransitionsOfProject(db: Executor, projectId: string, before: string): Promise<StatusTransitionRow[]> {
    const rows = await db
      .selectFrom('status_transitions')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('entity_type', '=', 'story')
      .where('occurred_at_utc', '<', before)
      .execute();
    return rows.sort(chronological);
  },

  async firstAndLast(db: Executor, projectId: string): Promise<{ first: string | null; last: string | null }> {
    const r = await db
      .selectFrom('status_transitions')
      .select((eb) => [eb.fn.min('occurred_at_utc').as('first'), eb.fn.max('occurred_at_utc').as('last')])
      .where('project_id', '=', projectId)
      .where('entity_type', '=', 'story')
      .executeTakeFirst();
    return { first: (r?.first as string | null | undefined) ?? null, last: (r?.last as string | null | undefined) ?? null };
  },

  // ----- projection side -----
  async rowsByKeys(db: Executor, keys: readonly string[]): Promise<Map<string, StatusTransitionRow>> {
    const out = new Map<string, StatusTransitionRow>();
    for (const part of chunks(keys)) {
      for (const r of await db.selectFrom('status_transitions').selectAll().where('transition_key', 'in', part).execute()) out.set(r.transition_key, r);
    }
    return out;
  },

  upsertRows(db: Executor, rows: readonly StatusTransitionRow[]): Promise<void> {
    return upsertByKey(db, 'status_transitions', 'transition_key', rows);
  },
};
