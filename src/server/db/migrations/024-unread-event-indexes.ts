import type { Migration } from './types.js';

/**
 * domain_events (project_id, id) and (correlation_id) go: no query reads through them. The log is read by id (replay,
 * the rollup, retention, lineage), by source key (deduplication: its unique index stays) and by entity for status
 * histories (the partial index of migration 022). Every event still paid two index inserts for them, at a random
 * place once real traffic carries projects and correlation ids (the connector and the simulator set both). A reader
 * that needs one brings its index back with it, in its own migration.
 */
export const unreadEventIndexes: Migration = {
  version: 24,
  name: 'unread-event-indexes',
  statements(db) {
    return [db.schema.dropIndex('domain_events_project_idx'), db.schema.dropIndex('domain_events_correlation_idx')];
  },
};
