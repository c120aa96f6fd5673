import type { Migration } from './types.js';

/**
 * Who sent what. An ingest key is bound to the event sources it may use (`key create --source`; NULL for keys made
 * before this: any source but the server's own), and every event keeps the credential that delivered it
 * (`key:<id>`, `user:<id>`; NULL for what the server itself read or derived), so lineage can say who sent a figure.
 */
export const keySources: Migration = {
  version: 10,
  name: 'key-sources',
  statements(db) {
    return [db.schema.alterTable('api_keys').addColumn('sources_json', 'text'), db.schema.alterTable('domain_events').addColumn('sent_by', 'text')];
  },
};
