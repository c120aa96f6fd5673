import { sql } from 'kysely';
import type { Migration } from './types.js';

/**
 * Claude Code's OpenTelemetry export (the OTLP receiver).
 * - An ingest key may be bound to one project: everything it sends is that project's, and nothing else.
 * - cost_events.request_fingerprint: an OTLP `api_request` event carries no request id, so the same request seen in a
 *   transcript and over OTLP is recognised by its session, model and exact token counts (see costs.projection.ts).
 * - cost_metric_series: the points of Claude Code's `cost.usage` / `token.usage` metrics, one row per series and
 *   start time (a segment more when a cumulative series resets without a new start time). A session's metric total
 *   is their sum; only what it says beyond the itemized costs of the same session and model becomes a cost row.
 */
export const otlp: Migration = {
  version: 9,
  name: 'otlp',
  statements(db) {
    return [
      db.schema.alterTable('api_keys').addColumn('project_id', 'text'),
      db.schema.alterTable('cost_events').addColumn('request_fingerprint', 'text'),
      db.schema
        .createIndex('cost_events_fingerprint_idx')
        .on('cost_events')
        .column('request_fingerprint')
        .where(sql.ref('request_fingerprint'), 'is not', null),
      db.schema
        .createTable('cost_metric_series')
        .addColumn('series_key', 'text', (c) => c.notNull())
        .addColumn('start_ns', 'text', (c) => c.notNull())
        .addColumn('segment', 'integer', (c) => c.notNull())
        .addColumn('temporality', 'text', (c) => c.notNull())
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('metric', 'text', (c) => c.notNull())
        .addColumn('value', 'real', (c) => c.notNull())
        .addColumn('time_ns', 'text', (c) => c.notNull())
        .addColumn('project_id', 'text')
        .addColumn('agent_id', 'text')
        .addColumn('workflow_id', 'text')
        .addColumn('story_id', 'text')
        .addColumn('skill', 'text')
        .addColumn('workflow_name', 'text')
        .addColumn('currency', 'text')
        .addColumn('source_event_id', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('cost_metric_series_pk', ['series_key', 'start_ns', 'segment']),
      db.schema.createIndex('cost_metric_series_session_idx').on('cost_metric_series').columns(['session_id', 'model']),
    ];
  },
};
