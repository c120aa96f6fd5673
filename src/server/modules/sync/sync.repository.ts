import type { Selectable } from 'kysely';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import type { SyncStateTable } from '../../db/schema.js';

export type SyncRow = Selectable<SyncStateTable>;

export const syncRepository = {
  async rowsByIds(db: Executor, ids: readonly string[]): Promise<Map<string, SyncRow>> {
    const found = [];
    for (const part of chunks(ids)) found.push(...(await db.selectFrom('sync_state').selectAll().where('id', 'in', part).execute()));
    return new Map(found.map((r) => [r.id, r]));
  },

  async upsertRows(db: Executor, rows: readonly SyncRow[]): Promise<void> {
    for (const part of chunks(rows)) {
      await db
        .insertInto('sync_state')
        .values(part)
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
    }
  },

  async all(db: Executor): Promise<SyncRow[]> {
    return db.selectFrom('sync_state').selectAll().orderBy('module').orderBy('id').execute();
  },
};
