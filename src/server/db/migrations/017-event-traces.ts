import type { Migration } from './types.js';

/** Each event remembers the trace of the request that carried it, so a figure's lineage leads to its traces. */
export const eventTraces: Migration = {
  version: 17,
  name: 'event-traces',
  statements(db) {
    return [db.schema.alterTable('domain_events').addColumn('trace_id', 'text'), db.schema.alterTable('domain_events').addColumn('span_id', 'text')];
  },
};
