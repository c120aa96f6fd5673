import { sql } from 'kysely';
import type { Migration } from './types.js';

/**
 * One cost per LLM request. Claude Code's usage reaches us by up to three paths (a transcript line, an OTLP
 * `api_request` event, the API), each with its own event id, so the event log's dedup (per source and id) cannot see
 * that they are the same request: cost_events keeps the request id, unique where known, and the first path to
 * arrive is the cost (later sightings stay in domain_events). The session, skill and path are kept for attribution and
 * lineage; the cache-write split and the speed / service tier for pricing (and repricing) each bucket at its rate.
 * workflow_sessions joins the runs Claude Code sessions made to the runs inferred from BMAD's files.
 */
export const costRequests: Migration = {
  version: 8,
  name: 'cost-requests',
  statements(db) {
    const add = (column: string, type: 'text' | 'integer') => db.schema.alterTable('cost_events').addColumn(column, type);
    return [
      add('request_id', 'text'),
      add('session_id', 'text'),
      add('skill', 'text'),
      add('workflow_name', 'text'),
      add('via', 'text'),
      add('speed', 'text'),
      add('service_tier', 'text'),
      add('cache_write_5m_tokens', 'integer'),
      add('cache_write_1h_tokens', 'integer'),
      db.schema.createIndex('cost_events_request_uq').on('cost_events').column('request_id').unique().where(sql.ref('request_id'), 'is not', null),
      db.schema.createIndex('cost_events_session_idx').on('cost_events').column('session_id').where(sql.ref('session_id'), 'is not', null),
      db.schema.createIndex('cost_events_workflow_idx').on('cost_events').column('workflow_id').where(sql.ref('workflow_id'), 'is not', null),
      // Each run a Claude Code session made, and the run it is shown as: itself, or the run BMAD's files show for the
      // same work (the story's development run, the project's PRD run), so the same work is one run, not two.
      db.schema
        .createTable('workflow_sessions')
        .addColumn('session_run_id', 'text', (c) => c.primaryKey())
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('project_id', 'text')
        .addColumn('story_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('ended_at', 'text')
        .addColumn('status', 'text')
        // The session run's own folded row: kept here while another run shows it, so later events still fold onto it.
        .addColumn('row_json', 'text', (c) => c.notNull()),
      db.schema.createIndex('workflow_sessions_run_idx').on('workflow_sessions').column('run_id'),
      db.schema.createIndex('workflow_sessions_story_idx').on('workflow_sessions').columns(['project_id', 'story_id']),
    ];
  },
};
