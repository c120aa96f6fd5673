import { sql } from 'kysely';
import type { Migration } from './types.js';

/**
 * story_board_versions: a counter per project, raised in the transaction that writes any of its stories (and, for a
 * story that moves, its former project's). A reader may keep a project's stories in memory and reuse them while the
 * counter is unchanged: a 2,000-story board spent most of its time turning 2,000 rows into objects (issue 17).
 *
 * No backfill: a project without a row reads as version 0, and its first write inserts 1, so a reader that cached
 * the stories at 0 sees the change. Stories are never deleted, so the counter only ever has to follow upserts.
 */
export const storyBoardVersions: Migration = {
  version: 20,
  name: 'story-board-versions',
  statements(db) {
    return [
      db.schema
        .createTable('story_board_versions')
        .addColumn('project_id', 'text', (c) => c.notNull().primaryKey())
        .addColumn('version', 'integer', (c) => c.notNull())
        .modifyEnd(sql`without rowid`),
    ];
  },
};
