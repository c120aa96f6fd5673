import type { Insertable } from 'kysely';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import type { CostSourceReportsTable } from '../../db/schema.js';

/** Cost sync reports: which intervals a cost source said it covered. */
export const costSourceReportsRepository = {
  async insertSourceReports(db: Executor, rows: readonly Insertable<CostSourceReportsTable>[]): Promise<void> {
    for (const part of chunks(rows)) {
      await db
        .insertInto('cost_source_reports')
        .values(part)
        .onConflict((oc) => oc.column('source_event_id').doNothing())
        .execute();
    }
  },

  /** Ok cost sync reports whose covered interval [covers_from, occurred_at] meets [start, end). */
  async okReportsOverlapping(db: Executor, start: string, end: string): Promise<{ from: string; to: string }[]> {
    const rows = await db
      .selectFrom('cost_source_reports')
      .select(['covers_from_utc', 'occurred_at_utc'])
      .where('status', '=', 'ok')
      .where('covers_from_utc', '<', end)
      .where('occurred_at_utc', '>=', start)
      .orderBy('covers_from_utc')
      .execute();
    return rows.map((r) => ({ from: r.covers_from_utc, to: r.occurred_at_utc }));
  },
};
