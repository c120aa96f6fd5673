import { sql } from 'kysely';
import { STATUS_HISTORY_TYPES_SQL } from '../status-history-types.js';
import type { Migration } from './types.js';

/**
 * domain_events (entity_type, entity_id, occurred_at_utc desc) becomes (entity_type, entity_id, id), holding only the
 * events that state a workflow's or a story's status. Its one reader is the rollup's status histories
 * (eventsRepository.statusHistories), which asks for those types only, by entity, after an id: the id as the last
 * column makes "after an id" a range, where the time was read by nobody. Every other event (cost records are most of
 * a real log) no longer pays an insert at a random place in it: on bench:rounds that index was a fifth of a write
 * round's time and three fifths of the bytes it wrote.
 */
export const statusHistoryIndex: Migration = {
  version: 22,
  name: 'status-history-index',
  statements(db) {
    return [
      db.schema.dropIndex('domain_events_entity_idx'),
      db.schema
        .createIndex('domain_events_status_history_idx')
        .on('domain_events')
        .columns(['entity_type', 'entity_id', 'id'])
        .where(sql<boolean>`event_type in (${sql.raw(STATUS_HISTORY_TYPES_SQL)})`),
    ];
  },
};
