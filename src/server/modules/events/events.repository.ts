import type { EventType, IncomingEvent } from '../../../contracts/index.js';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import type { DomainEventRow } from '../../db/schema.js';
import { sourceKey, type StoredEvent } from './stored-event.js';


export interface ExistingEvent {
  eventId: number;
  contentHash: string;
}

export interface NewEvent {
  event: IncomingEvent;
  contentHash: string;
  /** The credential that delivered it (`key:<id>`, `user:<id>`), or null for what the server read or derived itself. */
  sentBy?: string | null;
  /** The trace and span of the request that carried it, when tracing is on. */
  traceId?: string | null;
  spanId?: string | null;
}

export function rowToStoredEvent(row: DomainEventRow): StoredEvent {
  return {
    eventId: row.id,
    sourceEventId: row.source_event_id,
    source: row.source_system,
    type: row.event_type as EventType,
    occurredAt: row.occurred_at_utc,
    ingestedAt: row.ingested_at_utc,
    entityType: row.entity_type,
    entityId: row.entity_id,
    projectId: row.project_id,
    storyId: row.story_id,
    workflowId: row.workflow_id,
    correlationId: row.correlation_id,
    payload: JSON.parse(row.payload_json),
  } as StoredEvent;
}

export const eventsRepository = {
  /** Events already stored under these (source, id) keys, keyed by sourceKey(). */
  async findBySourceKeys(db: Executor, keys: readonly { source: string; sourceEventId: string }[]): Promise<Map<string, ExistingEvent>> {
    const found = new Map<string, ExistingEvent>();
    // Grouped by source so every lookup uses the (source_system, source_event_id) unique index, not a scan.
    const bySource = new Map<string, Set<string>>();
    for (const k of keys) {
      let ids = bySource.get(k.source);
      if (!ids) bySource.set(k.source, (ids = new Set()));
      ids.add(k.sourceEventId);
    }
    for (const [source, ids] of bySource) {
      for (const part of chunks([...ids])) {
        const rows = await db
          .selectFrom('domain_events')
          .select(['id', 'source_event_id', 'content_hash'])
          .where('source_system', '=', source)
          .where('source_event_id', 'in', part)
          .execute();
        for (const r of rows) found.set(sourceKey({ source, sourceEventId: r.source_event_id }), { eventId: r.id, contentHash: r.content_hash });
      }
    }
    return found;
  },

  /** Appends events in the given order; returns them with their sequence numbers, in that order. */
  async append(db: Executor, events: readonly NewEvent[], ingestedAt: string): Promise<StoredEvent[]> {
    const stored: StoredEvent[] = [];
    for (const part of chunks(events)) {
      const rows = await db
        .insertInto('domain_events')
        .values(
          part.map(({ event: e, contentHash, sentBy, traceId, spanId }) => ({
            event_type: e.type,
            entity_type: e.entityType,
            entity_id: e.entityId,
            project_id: e.projectId,
            story_id: e.storyId,
            workflow_id: e.workflowId,
            occurred_at_utc: e.occurredAt,
            ingested_at_utc: ingestedAt,
            source_system: e.source,
            source_event_id: e.sourceEventId,
            correlation_id: e.correlationId,
            payload_json: JSON.stringify(e.payload),
            content_hash: contentHash,
            sent_by: sentBy ?? null,
            trace_id: traceId ?? null,
            span_id: spanId ?? null,
          })),
        )
        .returning(['id', 'source_system', 'source_event_id'])
        .execute();
      // RETURNING order is not guaranteed, so match rows back by their unique key.
      const idByKey = new Map(rows.map((r) => [sourceKey({ source: r.source_system, sourceEventId: r.source_event_id }), r.id]));
      for (const { event } of part) {
        const eventId = idByKey.get(sourceKey(event));
        if (eventId === undefined) throw new Error(`appended event ${sourceKey(event)} has no id`);
        stored.push({ ...event, eventId, ingestedAt } as StoredEvent);
      }
    }
    return stored;
  },

  async headEventId(db: Executor): Promise<number> {
    const row = await db.selectFrom('domain_events').select((eb) => eb.fn.max('id').as('head')).executeTakeFirst();
    return Number(row?.head ?? 0);
  },

  /** Events after a position, in sequence order (replay and rebuilds). */
  async listAfter(db: Executor, afterEventId: number, limit: number): Promise<StoredEvent[]> {
    const rows = await db.selectFrom('domain_events').selectAll().where('id', '>', afterEventId).orderBy('id').limit(limit).execute();
    return rows.map(rowToStoredEvent);
  },

  /** The oldest retained sequence number (null when the log is empty): positions before it were pruned. */
  async oldestEventId(db: Executor): Promise<number | null> {
    const row = await db.selectFrom('domain_events').select((eb) => eb.fn.min('id').as('oldest')).executeTakeFirst();
    return row?.oldest == null ? null : Number(row.oldest);
  },

  /** Events in (afterEventId, upToEventId] of the given types, in sequence order: one page of a replay. */
  async listRange(db: Executor, afterEventId: number, upToEventId: number, types: readonly EventType[], limit: number): Promise<StoredEvent[]> {
    if (types.length === 0) return [];
    const rows = await db
      .selectFrom('domain_events')
      .selectAll()
      .where('id', '>', afterEventId)
      .where('id', '<=', upToEventId)
      .where('event_type', 'in', [...types])
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(rowToStoredEvent);
  },

  async findById(db: Executor, eventId: number): Promise<StoredEvent | undefined> {
    const row = await db.selectFrom('domain_events').selectAll().where('id', '=', eventId).executeTakeFirst();
    return row ? rowToStoredEvent(row) : undefined;
  },
};
