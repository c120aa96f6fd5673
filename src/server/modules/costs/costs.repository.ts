import type { Insertable } from 'kysely';
import type { Executor } from '../../db/handle.js';
import type { CostEventsTable } from '../../db/schema.js';

export const costsRepository = {
  async insertMany(db: Executor, rows: readonly Insertable<CostEventsTable>[]): Promise<void> {
    if (rows.length === 0) return;
    await db
      .insertInto('cost_events')
      .values([...rows])
      .onConflict((oc) => oc.column('source_event_id').doNothing())
      .execute();
  },
};
