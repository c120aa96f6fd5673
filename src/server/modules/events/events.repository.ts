import type { EventType, IncomingEvent } from '../../../contracts/index.js';
import { sql } from 'kysely';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import { STATUS_HISTORY_TYPES, STATUS_HISTORY_TYPES_SQL } from '../../db/status-history-types.js';
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

/** An event without its payload: type, entity, links and times. */
export interface EventHeader {
  id: number;
  type: string;
  entityType: string;
  entityId: string;
  storyId: string | null;
  workflowId: string | null;
  occurredAt: string;
  ingestedAt: string;
}

/** One status a workflow or story was put in, by one event. */
export interface StatusHistoryEntry {
  eventId: number;
  at: string;
  status: string;
  /** Stories: the board column the source reported, when the event carries one. */
  column: string | null;
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

  /**
   * The newest storage time of each event type among the newest `limit` events: a bounded read in primary-key order,
   * never a scan of the whole log (domain_events has no index on the type). Older types are simply not found.
   */
  async newestByType(db: Executor, limit: number): Promise<Map<string, string>> {
    const rows = await db.selectFrom('domain_events').select(['event_type', 'ingested_at_utc']).orderBy('id', 'desc').limit(limit).execute();
    const out = new Map<string, string>();
    for (const r of rows) if (!out.has(r.event_type)) out.set(r.event_type, r.ingested_at_utc);
    return out;
  },

  /** The log's rows as stored, in (after, through] by id (the consistency monitor replays them into a rebuild). */
  async rowsBetween(db: Executor, after: number, through: number, limit: number): Promise<DomainEventRow[]> {
    return db.selectFrom('domain_events').selectAll().where('id', '>', after).where('id', '<=', through).orderBy('id').limit(limit).execute();
  },

  /** Copies rows as they are (ids included) into another database's log: the consistency monitor's scratch rebuild. */
  async copyRows(db: Executor, rows: readonly DomainEventRow[]): Promise<void> {
    for (const part of chunks(rows, 200)) await db.insertInto('domain_events').values(part).execute();
  },

  async headEventId(db: Executor): Promise<number> {
    const row = await db
      .selectFrom('domain_events')
      .select((eb) => eb.fn.max('id').as('head'))
      .executeTakeFirst();
    return Number(row?.head ?? 0);
  },

  /** Events after a position, in sequence order (replay and rebuilds). */
  async listAfter(db: Executor, afterEventId: number, limit: number): Promise<StoredEvent[]> {
    const rows = await db.selectFrom('domain_events').selectAll().where('id', '>', afterEventId).orderBy('id').limit(limit).execute();
    return rows.map(rowToStoredEvent);
  },

  /** The oldest retained sequence number (null when the log is empty): positions before it were pruned. */
  async oldestEventId(db: Executor): Promise<number | null> {
    const row = await db
      .selectFrom('domain_events')
      .select((eb) => eb.fn.min('id').as('oldest'))
      .executeTakeFirst();
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

  /** Event headers (no payload) after an id, in id order: what the agent analytics rollup reads per batch. */
  async headersAfter(db: Executor, after: number, limit: number): Promise<EventHeader[]> {
    // Selected under the header's own names, so the rows are the headers: a catch-up reads every event of the log
    // through here, and a second object per row is work for nothing.
    const rows: EventHeader[] = await db
      .selectFrom('domain_events')
      .select([
        'id',
        'event_type as type',
        'entity_type as entityType',
        'entity_id as entityId',
        'story_id as storyId',
        'workflow_id as workflowId',
        'occurred_at_utc as occurredAt',
        'ingested_at_utc as ingestedAt',
      ])
      .where('id', '>', after)
      .orderBy('id')
      .limit(limit)
      .execute();
    // Postgres hands a bigint id over as a string.
    for (const r of rows) if (typeof r.id !== 'number') r.id = Number(r.id);
    return rows;
  },

  /**
   * Every status-bearing event of these workflows or stories, with the status (and story column) it states; with
   * `afterId`, only those after that event id, or after each entity's own id (the entity index holds the id, so rows
   * before the lowest are skipped unread, and the others before their entity's are dropped before their payload is
   * parsed).
   */
  async statusHistories(
    db: Executor,
    entityType: 'workflow' | 'story',
    ids: readonly string[],
    afterId: number | ReadonlyMap<string, number> = 0,
  ): Promise<Map<string, StatusHistoryEntry[]>> {
    const out = new Map<string, StatusHistoryEntry[]>();
    const after = (id: string) => (typeof afterId === 'number' ? afterId : (afterId.get(id) ?? 0));
    for (const part of chunks(ids)) {
      let floor = Infinity;
      for (const id of part) floor = Math.min(floor, after(id));
      let q = db
        .selectFrom('domain_events')
        .select(['id', 'entity_id', 'occurred_at_utc', 'payload_json'])
        .where('entity_type', '=', entityType)
        .where('entity_id', 'in', part)
        // Word for word the condition of domain_events_status_history_idx, which only then serves this query.
        .where(sql<boolean>`event_type in (${sql.raw(STATUS_HISTORY_TYPES_SQL)})`)
        .where('event_type', 'in', [...STATUS_HISTORY_TYPES[entityType]]);
      if (floor > 0) q = q.where('id', '>', floor);
      const rows = await q.execute();
      for (const r of rows) {
        if (Number(r.id) <= after(r.entity_id)) continue;
        let list = out.get(r.entity_id);
        if (!list) out.set(r.entity_id, (list = []));
        // Upserts state `status` (stories also their column); transitions state `to`.
        const p = JSON.parse(r.payload_json) as { status?: string; to?: string; kanbanColumn?: string | null; column?: string | null };
        list.push({ eventId: Number(r.id), at: r.occurred_at_utc, status: p.status ?? p.to ?? '', column: p.kanbanColumn ?? p.column ?? null });
      }
    }
    return out;
  },

  /** These events' rows as lineage shows them, in id order; ids pruned by retention are simply absent. */
  async lineageRowsByIds(db: Executor, ids: readonly number[]) {
    const out = [];
    for (const part of chunks(ids)) {
      out.push(
        ...(await db
          .selectFrom('domain_events')
          .select([
            'id',
            'event_type',
            'entity_type',
            'entity_id',
            'occurred_at_utc',
            'source_system',
            'project_id',
            'story_id',
            'workflow_id',
            'payload_json',
            'sent_by',
            'trace_id',
          ])
          .where('id', 'in', part)
          .execute()),
      );
    }
    return out.sort((a, b) => Number(a.id) - Number(b.id));
  },
};
