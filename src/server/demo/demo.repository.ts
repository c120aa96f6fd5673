import type { Executor } from '../db/handle.js';

export interface LoggedEvent {
  id: number;
  source: string;
  type: string;
  entityId: string;
  occurredAt: string;
}

export const demoRepository = {
  /**
   * One page of the event log in sequence order, with just what a replay of the demo stream needs. Pages walk the
   * primary key, so reading the whole log stays linear however large it is.
   */
  async logPage(db: Executor, afterId: number, limit: number): Promise<LoggedEvent[]> {
    const rows = await db
      .selectFrom('domain_events')
      .select(['id', 'source_system', 'event_type', 'entity_id', 'occurred_at_utc'])
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: r.id, source: r.source_system, type: r.event_type, entityId: r.entity_id, occurredAt: r.occurred_at_utc }));
  },
};
