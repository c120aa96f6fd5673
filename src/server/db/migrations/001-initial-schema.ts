import { sql, type ColumnDefinitionBuilder, type CreateTableBuilder } from 'kysely';
import type { Migration, SqlDialectName } from './types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Table = CreateTableBuilder<any, any>;

/** A never-reused increasing integer key: AUTOINCREMENT on SQLite, an identity column on Postgres. */
function withSequenceId(t: Table, dialect: SqlDialectName): Table {
  return dialect === 'postgres'
    ? t.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}
const notNull = (c: ColumnDefinitionBuilder) => c.notNull();
const key = (c: ColumnDefinitionBuilder) => c.primaryKey();

export const initialSchema: Migration = {
  version: 1,
  name: 'initial-schema',
  // eslint-disable-next-line max-lines-per-function -- a released migration's DDL is one ordered list, kept verbatim (its checksum is recorded)
  statements(db, dialect) {
    const seq = (name: string) => withSequenceId(db.schema.createTable(name), dialect);
    return [
      db.schema.createTable('meta').addColumn('key', 'text', key).addColumn('value', 'text', notNull),

      db.schema
        .createTable('users')
        .addColumn('id', 'text', key)
        .addColumn('email', 'text')
        .addColumn('display_name', 'text')
        .addColumn('role', 'text', (c) => c.notNull().defaultTo('viewer'))
        .addColumn('password_hash', 'text')
        .addColumn('preferences_json', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('origin', 'text', notNull)
        .addColumn('version_at', 'text')
        .addColumn('version_key', 'text')
        .addColumn('created_at', 'text', notNull)
        .addColumn('updated_at', 'text', notNull)
        .addCheckConstraint('users_role_check', sql`role in ('viewer', 'operator', 'manager')`),
      // Only accounts that can log in need a unique email; people known from events may share one.
      db.schema.createIndex('users_login_email_uq').on('users').column('email').unique().where(sql.ref('password_hash'), 'is not', null),

      db.schema
        .createTable('agents')
        .addColumn('id', 'text', key)
        .addColumn('name', 'text', notNull)
        .addColumn('type', 'text', notNull)
        .addColumn('owner_team', 'text')
        .addColumn('created_at', 'text', notNull)
        .addColumn('version_at', 'text', notNull)
        .addColumn('version_key', 'text', notNull),

      db.schema
        .createTable('projects')
        .addColumn('id', 'text', key)
        .addColumn('name', 'text', notNull)
        .addColumn('owner_id', 'text')
        .addColumn('status', 'text', notNull)
        .addColumn('progress_pct', 'real')
        .addColumn('due_at', 'text')
        .addColumn('risk_flag', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'text', notNull)
        .addColumn('version_at', 'text', notNull)
        .addColumn('version_key', 'text', notNull),
      db.schema.createIndex('projects_status_due_idx').on('projects').columns(['status', 'due_at']),
      db.schema.createIndex('projects_owner_idx').on('projects').columns(['owner_id', 'name']),
      db.schema.createIndex('projects_name_idx').on('projects').columns(['name', 'id']),

      db.schema
        .createTable('stories')
        .addColumn('id', 'text', key)
        .addColumn('project_id', 'text')
        .addColumn('title', 'text')
        .addColumn('owner_id', 'text')
        .addColumn('epic', 'text')
        .addColumn('attrs_at', 'text')
        .addColumn('attrs_key', 'text')
        .addColumn('status', 'text')
        .addColumn('kanban_column', 'text')
        .addColumn('status_at', 'text')
        .addColumn('status_key', 'text')
        .addColumn('updated_at', 'text', notNull),
      db.schema.createIndex('stories_column_updated_idx').on('stories').columns(['kanban_column', 'updated_at desc']),
      db.schema.createIndex('stories_project_idx').on('stories').columns(['project_id', 'updated_at desc']),

      db.schema
        .createTable('workflows')
        .addColumn('id', 'text', key)
        .addColumn('project_id', 'text')
        .addColumn('story_id', 'text')
        .addColumn('name', 'text')
        .addColumn('owner_id', 'text')
        .addColumn('agent_id', 'text')
        .addColumn('attrs_at', 'text')
        .addColumn('attrs_key', 'text')
        .addColumn('status', 'text')
        .addColumn('last_transition_at', 'text')
        .addColumn('status_key', 'text')
        .addColumn('updated_at', 'text', notNull),
      db.schema.createIndex('workflows_status_transition_idx').on('workflows').columns(['status', 'last_transition_at desc']),
      db.schema.createIndex('workflows_transition_idx').on('workflows').columns(['last_transition_at desc', 'id']),
      db.schema.createIndex('workflows_project_idx').on('workflows').columns(['project_id', 'last_transition_at desc']),
      db.schema.createIndex('workflows_story_idx').on('workflows').column('story_id'),
      db.schema.createIndex('workflows_owner_idx').on('workflows').column('owner_id'),
      db.schema.createIndex('workflows_agent_idx').on('workflows').column('agent_id'),

      seq('domain_events')
        .addColumn('event_type', 'text', notNull)
        .addColumn('entity_type', 'text', notNull)
        .addColumn('entity_id', 'text', notNull)
        .addColumn('project_id', 'text')
        .addColumn('story_id', 'text')
        .addColumn('workflow_id', 'text')
        .addColumn('occurred_at_utc', 'text', notNull)
        .addColumn('ingested_at_utc', 'text', notNull)
        .addColumn('source_system', 'text', notNull)
        .addColumn('source_event_id', 'text', notNull)
        .addColumn('correlation_id', 'text')
        .addColumn('payload_json', 'text', notNull)
        .addColumn('content_hash', 'text', notNull)
        .addUniqueConstraint('domain_events_source_uq', ['source_system', 'source_event_id']),
      db.schema.createIndex('domain_events_entity_idx').on('domain_events').columns(['entity_type', 'entity_id', 'occurred_at_utc desc']),
      db.schema.createIndex('domain_events_project_idx').on('domain_events').columns(['project_id', 'id']),
      db.schema.createIndex('domain_events_correlation_idx').on('domain_events').column('correlation_id'),

      seq('workflow_transitions')
        .addColumn('workflow_id', 'text', notNull)
        .addColumn('event_id', 'integer', (c) => c.notNull().unique().references('domain_events.id'))
        .addColumn('from_status', 'text')
        .addColumn('to_status', 'text', notNull)
        .addColumn('occurred_at_utc', 'text', notNull)
        .addColumn('actor_id', 'text')
        .addColumn('reason', 'text'),
      db.schema.createIndex('workflow_transitions_workflow_idx').on('workflow_transitions').columns(['workflow_id', 'occurred_at_utc']),

      seq('cost_events')
        .addColumn('source_event_id', 'integer', (c) => c.notNull().unique().references('domain_events.id'))
        .addColumn('project_id', 'text')
        .addColumn('workflow_id', 'text')
        .addColumn('agent_id', 'text')
        .addColumn('story_id', 'text')
        .addColumn('model', 'text')
        .addColumn('cost_amount', 'real')
        .addColumn('currency', 'text')
        .addColumn('input_tokens', 'integer')
        .addColumn('output_tokens', 'integer')
        .addColumn('cache_write_tokens', 'integer')
        .addColumn('cache_read_tokens', 'integer')
        .addColumn('price_version', 'text')
        .addColumn('occurred_at_utc', 'text', notNull),
      db.schema.createIndex('cost_events_project_time_idx').on('cost_events').columns(['project_id', 'occurred_at_utc desc']),
      db.schema.createIndex('cost_events_time_idx').on('cost_events').column('occurred_at_utc'),
      db.schema.createIndex('cost_events_agent_time_idx').on('cost_events').columns(['agent_id', 'occurred_at_utc']),

      seq('agent_metrics')
        .addColumn('agent_id', 'text', notNull)
        .addColumn('kpi_key', 'text', notNull)
        .addColumn('kpi_value', 'real')
        .addColumn('unit', 'text', notNull)
        .addColumn('granularity', 'text', notNull)
        .addColumn('window_start_utc', 'text', notNull)
        .addColumn('window_end_utc', 'text', notNull)
        .addColumn('lineage_ref', 'text', notNull)
        .addUniqueConstraint('agent_metrics_window_uq', ['agent_id', 'kpi_key', 'granularity', 'window_start_utc']),
      db.schema.createIndex('agent_metrics_agent_kpi_idx').on('agent_metrics').columns(['agent_id', 'kpi_key', 'window_end_utc desc']),

      seq('agent_outliers')
        .addColumn('agent_metric_id', 'integer', (c) => c.notNull().references('agent_metrics.id').onDelete('cascade'))
        .addColumn('score', 'real', notNull)
        .addColumn('method', 'text', notNull)
        .addColumn('threshold', 'real', notNull)
        .addColumn('flagged_at_utc', 'text', notNull)
        .addColumn('lineage_ref', 'text', notNull),
      db.schema.createIndex('agent_outliers_metric_idx').on('agent_outliers').column('agent_metric_id'),

      db.schema
        .createTable('documents')
        .addColumn('id', 'text', key)
        .addColumn('project_id', 'text')
        .addColumn('story_id', 'text')
        .addColumn('title', 'text', notNull)
        .addColumn('mime_type', 'text', notNull)
        .addColumn('storage_path', 'text')
        .addColumn('checksum', 'text')
        .addColumn('created_at', 'text', notNull)
        .addColumn('updated_at', 'text', notNull),
      db.schema.createIndex('documents_project_idx').on('documents').columns(['project_id', 'title']),
      db.schema.createIndex('documents_story_idx').on('documents').column('story_id'),

      db.schema
        .createTable('sync_state')
        .addColumn('id', 'text', key)
        .addColumn('module', 'text', notNull)
        .addColumn('status', 'text', notNull)
        .addColumn('error_message', 'text')
        .addColumn('expected_interval_ms', 'integer')
        .addColumn('last_attempt_at_utc', 'text', notNull)
        .addColumn('last_attempt_key', 'text', notNull)
        .addColumn('last_successful_sync_at_utc', 'text'),
      db.schema.createIndex('sync_state_module_idx').on('sync_state').column('module'),

      db.schema
        .createTable('client_sessions')
        .addColumn('id', 'text', key)
        .addColumn('user_id', 'text')
        .addColumn('connected_at_utc', 'text', notNull)
        .addColumn('last_heartbeat_at_utc', 'text')
        .addColumn('connection_state', 'text', notNull)
        .addColumn('last_ack_event_id', 'integer')
        .addColumn('closed_at_utc', 'text'),
      db.schema.createIndex('client_sessions_state_idx').on('client_sessions').columns(['connection_state', 'closed_at_utc']),

      db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', key)
        .addColumn('name', 'text', notNull)
        .addColumn('scopes_json', 'text', notNull)
        .addColumn('secret_hash', 'text', notNull)
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'text', notNull)
        .addColumn('revoked_at', 'text'),

      db.schema
        .createTable('auth_sessions')
        .addColumn('id', 'text', key)
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', notNull)
        .addColumn('expires_at', 'text', notNull)
        .addColumn('user_agent', 'text')
        .addColumn('ip', 'text'),
      db.schema.createIndex('auth_sessions_user_idx').on('auth_sessions').column('user_id'),

      seq('audit_log')
        .addColumn('occurred_at_utc', 'text', notNull)
        .addColumn('actor_type', 'text', notNull)
        .addColumn('actor_id', 'text')
        .addColumn('action', 'text', notNull)
        .addColumn('target_type', 'text')
        .addColumn('target_id', 'text')
        .addColumn('outcome', 'text', notNull)
        .addColumn('ip', 'text')
        .addColumn('details_json', 'text', (c) => c.notNull().defaultTo('{}')),
      db.schema.createIndex('audit_log_time_idx').on('audit_log').column('occurred_at_utc'),
      db.schema.createIndex('audit_log_action_idx').on('audit_log').columns(['action', 'occurred_at_utc']),
    ];
  },
};
