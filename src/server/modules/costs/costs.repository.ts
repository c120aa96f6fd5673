import type { Insertable } from 'kysely';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import type { CostEventsTable } from '../../db/schema.js';

export const costsRepository = {
  async insertMany(db: Executor, rows: readonly Insertable<CostEventsTable>[]): Promise<void> {
    for (const part of chunks(rows)) {
      await db
        .insertInto('cost_events')
        .values(part)
        .onConflict((oc) => oc.column('source_event_id').doNothing())
        .execute();
    }
  },
};
