import type { Migration } from './types.js';

/**
 * What instances sharing one database coordinate through: leases on the jobs that must run once, login attempts
 * counted across instances, and each instance's open WebSocket connections per principal (for the caps).
 */
export const cluster: Migration = {
  version: 18,
  name: 'cluster',
  statements(db) {
    return [
      db.schema
        .createTable('job_leases')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('expires_at_ms', 'integer', (c) => c.notNull())
        .addColumn('acquired_at', 'text', (c) => c.notNull()),
      db.schema
        .createTable('rate_limit_hits')
        .addColumn('bucket', 'text', (c) => c.notNull())
        .addColumn('window_start_ms', 'integer', (c) => c.notNull())
        .addColumn('hits', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('rate_limit_hits_pk', ['bucket', 'window_start_ms']),
      db.schema
        .createTable('ws_presence')
        .addColumn('instance_id', 'text', (c) => c.notNull())
        .addColumn('principal', 'text', (c) => c.notNull())
        .addColumn('connections', 'integer', (c) => c.notNull())
        .addColumn('seen_at_ms', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('ws_presence_pk', ['instance_id', 'principal']),
    ];
  },
};
