import type { Executor } from '../../db/handle.js';

/** The newest events' types and storage times, for the status page's "last event" per module. */
export const lastEventsRepository = {
  /**
   * The newest storage time of each event type among the newest `limit` events: a bounded read in primary-key order,
   * never a scan of the whole log (domain_events has no index on the type). Older types are simply not found.
   */
  async newestByType(db: Executor, limit: number): Promise<Map<string, string>> {
    const rows = await db.selectFrom('domain_events').select(['event_type', 'ingested_at_utc']).orderBy('id', 'desc').limit(limit).execute();
    const out = new Map<string, string>();
    for (const r of rows) if (!out.has(r.event_type)) out.set(r.event_type, r.ingested_at_utc);
    return out;
  },
};
