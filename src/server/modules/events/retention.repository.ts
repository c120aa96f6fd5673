import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import { readMeta, writeMeta } from '../../db/meta.js';

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

  /** The last id of the next window: the next `limit` ids after `after`, up to `boundary`. */
  async windowEnd(db: Executor, after: number, boundary: number, limit: number): Promise<number> {
    const last = await db
      .selectFrom((eb) => eb.selectFrom('domain_events').select('id').where('id', '>', after).where('id', '<=', boundary).orderBy('id').limit(limit).as('w'))
      .select((eb) => eb.fn.max('w.id').as('through'))
      .executeTakeFirst();
    return Number(last?.through ?? boundary);
  },

  /**
   * Deletes the events in (after, through] but those in `keep` (the ones a read model still points to), in chunks
   * of ids (a window is small: its ids are read, never the whole log), and records `through` as pruned.
   */
  async deleteWindow(db: Executor, after: number, through: number, keep: ReadonlySet<number>): Promise<number> {
    const ids = (await db.selectFrom('domain_events').select('id').where('id', '>', after).where('id', '<=', through).execute())
      .map((r) => Number(r.id))
      .filter((id) => !keep.has(id));
    let deleted = 0;
    for (const part of chunks(ids)) deleted += Number((await db.deleteFrom('domain_events').where('id', 'in', part).executeTakeFirst()).numDeletedRows);
    await writeMeta(db, PRUNED_THROUGH, String(through));
    return deleted;
  },

  async prunedThrough(db: Executor): Promise<number> {
    return Number((await readMeta(db, PRUNED_THROUGH)) ?? 0);
  },
};
