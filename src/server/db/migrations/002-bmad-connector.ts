import type { ColumnDefinitionBuilder } from 'kysely';
import type { Migration } from './types.js';

const notNull = (c: ColumnDefinitionBuilder) => c.notNull();

/** What the BMAD connector and the Documents module need: story details, document locations, consistency findings. */
export const bmadConnector: Migration = {
  version: 2,
  name: 'bmad-connector',
  statements(db) {
    return [
      db.schema.alterTable('stories').addColumn('details_json', 'text'),

      db.schema.alterTable('documents').addColumn('root', 'text'),
      db.schema.alterTable('documents').addColumn('path', 'text'),
      db.schema.alterTable('documents').addColumn('size_bytes', 'bigint'),
      db.schema.alterTable('documents').addColumn('kind', 'text'),
      db.schema.alterTable('documents').addColumn('removed_at', 'text'),
      db.schema.alterTable('documents').addColumn('version_at', 'text'),
      db.schema.alterTable('documents').addColumn('version_key', 'text'),

      // One current report per project and source; a newer report replaces the findings of the older one.
      db.schema
        .createTable('consistency_reports')
        .addColumn('project_id', 'text', notNull)
        .addColumn('source', 'text', notNull)
        .addColumn('reported_at', 'text', notNull)
        .addColumn('version_key', 'text', notNull)
        .addPrimaryKeyConstraint('consistency_reports_pk', ['project_id', 'source']),
      db.schema
        .createTable('consistency_findings')
        .addColumn('project_id', 'text', notNull)
        .addColumn('source', 'text', notNull)
        .addColumn('position', 'integer', notNull)
        .addColumn('kind', 'text', notNull)
        .addColumn('story_id', 'text')
        .addColumn('file', 'text')
        .addColumn('line', 'integer')
        .addColumn('message', 'text', notNull)
        .addColumn('expected', 'text')
        .addColumn('actual', 'text')
        .addPrimaryKeyConstraint('consistency_findings_pk', ['project_id', 'source', 'position']),
      db.schema.createIndex('consistency_findings_story_idx').on('consistency_findings').column('story_id'),
    ];
  },
};
