import type { Selectable } from 'kysely';
import type { Executor } from '../../db/handle.js';
import { rowsById, upsertById } from '../../db/upsert.js';
import type { SyncStateTable } from '../../db/schema.js';

export type SyncRow = Selectable<SyncStateTable>;

export const syncRepository = {
  rowsByIds(db: Executor, ids: readonly string[]): Promise<Map<string, SyncRow>> {
    return rowsById(db, 'sync_state', ids);
  },

  upsertRows(db: Executor, rows: readonly SyncRow[]): Promise<void> {
    return upsertById(db, 'sync_state', rows);
  },

  async all(db: Executor): Promise<SyncRow[]> {
    return db.selectFrom('sync_state').selectAll().orderBy('module').orderBy('id').execute();
  },
};
