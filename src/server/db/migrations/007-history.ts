import { sql, type ColumnDefinitionBuilder } from 'kysely';
import type { Migration } from './types.js';

const notNull = (c: ColumnDefinitionBuilder) => c.notNull();
const key = (c: ColumnDefinitionBuilder) => c.primaryKey();

/**
 * A project's real history. status_transitions keeps every status change of a story or an epic once, by its
 * transition key (a change seen in the working tree and later in a commit, or a commit rewritten by a rebase, is one
 * row at the earliest time it was seen, linked to its commit). Workflow runs get their start and end, workflow
 * transitions their commit; epics become a read model; documents keep their versions; connectors keep their
 * checkpoints (how far a project's git history has been read) in connector_state.
 */
export const history: Migration = {
  version: 7,
  name: 'history',
  statements(db) {
    return [
      db.schema
        .createTable('status_transitions')
        .addColumn('transition_key', 'text', key)
        .addColumn('entity_type', 'text', notNull)
        .addColumn('entity_id', 'text', notNull)
        .addColumn('project_id', 'text')
        .addColumn('from_status', 'text')
        .addColumn('to_status', 'text', notNull)
        .addColumn('from_column', 'text')
        .addColumn('to_column', 'text')
        .addColumn('occurred_at_utc', 'text', notNull)
        .addColumn('actor_id', 'text')
        .addColumn('reason', 'text')
        .addColumn('seen_in', 'text')
        .addColumn('commit_hash', 'text')
        .addColumn('commit_subject', 'text')
        .addColumn('commit_path', 'text')
        .addColumn('committed_at_utc', 'text')
        // The earliest event that reported it (its time is the transition's), and the one that linked the commit.
        .addColumn('event_id', 'integer', notNull)
        .addColumn('commit_event_id', 'integer'),
      db.schema.createIndex('status_transitions_entity_idx').on('status_transitions').columns(['entity_type', 'entity_id', 'occurred_at_utc']),
      db.schema.createIndex('status_transitions_project_idx').on('status_transitions').columns(['project_id', 'entity_type', 'occurred_at_utc']),

      db.schema
        .createTable('epics')
        .addColumn('id', 'text', key)
        .addColumn('project_id', 'text')
        .addColumn('epic_key', 'text')
        .addColumn('title', 'text')
        .addColumn('status', 'text')
        .addColumn('source_status', 'text')
        .addColumn('retrospective_json', 'text')
        .addColumn('attrs_at', 'text')
        .addColumn('attrs_key', 'text')
        .addColumn('status_at', 'text')
        .addColumn('status_key', 'text')
        .addColumn('updated_at', 'text', notNull),
      db.schema.createIndex('epics_project_idx').on('epics').column('project_id'),

      db.schema.alterTable('projects').addColumn('details_json', 'text'),

      db.schema.alterTable('workflows').addColumn('started_at', 'text'),
      db.schema.alterTable('workflows').addColumn('ended_at', 'text'),
      db.updateTable('workflows').set({
        started_at: sql`(select min(t.occurred_at_utc) from workflow_transitions t where t.workflow_id = workflows.id and t.to_status = 'in_progress')`,
        ended_at: sql`case when status in ('done', 'failed', 'canceled') then last_transition_at else null end`,
      }),

      db.schema.alterTable('workflow_transitions').addColumn('transition_key', 'text'),
      db.schema.alterTable('workflow_transitions').addColumn('seen_in', 'text'),
      db.schema.alterTable('workflow_transitions').addColumn('commit_hash', 'text'),
      db.schema.alterTable('workflow_transitions').addColumn('commit_subject', 'text'),
      db.schema.createIndex('workflow_transitions_key_uq').on('workflow_transitions').column('transition_key').unique(),

      db.schema
        .createTable('document_versions')
        .addColumn('document_id', 'text', notNull)
        .addColumn('occurred_at_utc', 'text', notNull)
        .addColumn('event_id', 'integer', notNull)
        .addColumn('checksum', 'text')
        .addColumn('size_bytes', 'integer')
        .addColumn('actor_id', 'text')
        .addColumn('commit_hash', 'text')
        .addColumn('commit_subject', 'text')
        .addPrimaryKeyConstraint('document_versions_pk', ['document_id', 'occurred_at_utc']),

      db.schema.alterTable('documents').addColumn('superseded_by', 'text'),

      db.schema.alterTable('sync_state').addColumn('note', 'text'),

      db.schema
        .createTable('connector_state')
        .addColumn('state_key', 'text', key)
        .addColumn('value_json', 'text', notNull)
        .addColumn('updated_at_utc', 'text', notNull),
    ];
  },
};
