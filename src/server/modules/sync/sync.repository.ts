import type { Selectable } from 'kysely';
import type { Executor } from '../../db/handle.js';
import type { SyncStateTable } from '../../db/schema.js';

export type SyncRow = Selectable<SyncStateTable>;

export const syncRepository = {
  async rowsByIds(db: Executor, ids: readonly string[]): Promise<Map<string, SyncRow>> {
    if (ids.length === 0) return new Map();
    const rows = await db.selectFrom('sync_state').selectAll().where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, r]));
  },

  async upsertRows(db: Executor, rows: readonly SyncRow[]): Promise<void> {
    if (rows.length === 0) return;
    await db
      .insertInto('sync_state')
      .values([...rows])
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          module: eb.ref('excluded.module'),
          status: eb.ref('excluded.status'),
          error_message: eb.ref('excluded.error_message'),
          expected_interval_ms: eb.ref('excluded.expected_interval_ms'),
          last_attempt_at_utc: eb.ref('excluded.last_attempt_at_utc'),
          last_attempt_key: eb.ref('excluded.last_attempt_key'),
          last_successful_sync_at_utc: eb.ref('excluded.last_successful_sync_at_utc'),
        })),
      )
      .execute();
  },

  async all(db: Executor): Promise<SyncRow[]> {
    return db.selectFrom('sync_state').selectAll().orderBy('module').orderBy('id').execute();
  },
};
