import type { Migration } from './types.js';

/**
 * Cost availability: every ok/failed `sync.reported` for module `cost`, with the interval it covers, so the cost
 * views can tell "nothing was spent" (a source was reporting) from "unknown" (no source). cost_events already
 * carries price_version (001), so no column is added there.
 */
export const costCoverage: Migration = {
  version: 3,
  name: 'cost-coverage',
  statements(db) {
    return [
      db.schema
        .createTable('cost_source_reports')
        .addColumn('source_event_id', 'integer', (c) => c.notNull().primaryKey().references('domain_events.id'))
        .addColumn('scope_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('occurred_at_utc', 'text', (c) => c.notNull())
        /** The report covers [covers_from_utc, occurred_at_utc]: the expected interval before it (or just the instant). */
        .addColumn('covers_from_utc', 'text', (c) => c.notNull()),
      db.schema.createIndex('cost_source_reports_time_idx').on('cost_source_reports').columns(['occurred_at_utc', 'covers_from_utc']),
    ];
  },
};
