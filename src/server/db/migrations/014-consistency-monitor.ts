import type { Migration } from './types.js';

/** The consistency monitor: which row and field a finding names, and a record of every pass (the status page shows it). */
export const consistencyMonitor: Migration = {
  version: 14,
  name: 'consistency-monitor',
  statements(db, dialect) {
    const runs = db.schema.createTable('consistency_runs');
    return [
      db.schema.alterTable('consistency_findings').addColumn('entity', 'text'),
      db.schema.alterTable('consistency_findings').addColumn('field', 'text'),
      (dialect === 'postgres'
        ? runs.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
        : runs.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      )
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .addColumn('duration_ms', 'integer')
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('findings', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('through_event_id', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('details_json', 'text', (c) => c.notNull().defaultTo('{}')),
      db.schema.createIndex('consistency_runs_started_idx').on('consistency_runs').column('started_at'),
    ];
  },
};
