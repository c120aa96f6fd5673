import { sql } from 'kysely';
import type { Executor } from '../../db/handle.js';

/** The meta key holding the highest event id retention has gone through: replays from before it are refused. */
const PRUNED_THROUGH = 'pruned_through_event_id';

export const retentionRepository = {
  /**
   * The highest event id ingested before `cutoff`, found by bisecting the primary key (ids grow with ingestion time),
   * so a pass never scans the whole log on the thread that serves requests.
   */
  async boundaryBefore(db: Executor, cutoff: string): Promise<number> {
    const bounds = await db
      .selectFrom('domain_events')
      .select((eb) => [eb.fn.min('id').as('lo'), eb.fn.max('id').as('hi')])
      .executeTakeFirst();
    let lo = Number(bounds?.lo ?? 0);
    let hi = Number(bounds?.hi ?? 0);
    if (hi === 0) return 0;
    const ingestedAt = async (id: number) =>
      (await db.selectFrom('domain_events').select(['id', 'ingested_at_utc']).where('id', '>=', id).orderBy('id').limit(1).executeTakeFirst()) ?? null;
    const first = await ingestedAt(lo);
    if (!first || first.ingested_at_utc >= cutoff) return lo - 1;
    // Invariant: the event at `lo` is older than the cutoff; the answer lies in [lo, hi].
    while (lo < hi) {
      const mid = Math.floor((lo + hi + 1) / 2);
      const row = await ingestedAt(mid);
      if (row && row.ingested_at_utc < cutoff) lo = Number(row.id);
      else hi = mid - 1;
    }
    return lo;
  },

  /**
   * Deletes one window of old events: the next `limit` ids after `after`, up to `boundary`. Events a read model still
   * points to (a run's transition, a cost, a cost report) stay: the figures built on them keep their lineage.
   * Returns the window's last id (the new cursor) and how many were deleted.
   */
  async pruneWindow(db: Executor, after: number, boundary: number, limit: number): Promise<{ through: number; deleted: number }> {
    const last = await db
      .selectFrom((eb) => eb.selectFrom('domain_events').select('id').where('id', '>', after).where('id', '<=', boundary).orderBy('id').limit(limit).as('w'))
      .select((eb) => eb.fn.max('w.id').as('through'))
      .executeTakeFirst();
    const through = Number(last?.through ?? boundary);
    const r = await db
      .deleteFrom('domain_events')
      .where('id', '>', after)
      .where('id', '<=', through)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('workflow_transitions')
              .select(sql`1`.as('one'))
              .whereRef('workflow_transitions.event_id', '=', 'domain_events.id')
              .unionAll(selectFrom('cost_events').select(sql`1`.as('one')).whereRef('cost_events.source_event_id', '=', 'domain_events.id'))
              .unionAll(selectFrom('cost_source_reports').select(sql`1`.as('one')).whereRef('cost_source_reports.source_event_id', '=', 'domain_events.id')),
          ),
        ),
      )
      .executeTakeFirst();
    await db
      .insertInto('meta')
      .values({ key: PRUNED_THROUGH, value: String(through) })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(through) }))
      .execute();
    return { through, deleted: Number(r.numDeletedRows) };
  },

  async prunedThrough(db: Executor): Promise<number> {
    const row = await db.selectFrom('meta').select('value').where('key', '=', PRUNED_THROUGH).executeTakeFirst();
    return row ? Number(row.value) : 0;
  },
};
