import { sql } from 'kysely';
import type { Executor } from '../../db/handle.js';
import { DB_NOW_MS } from '../../db/db-clock.js';

export interface LeaseRow {
  name: string;
  holder: string;
  expiresAtMs: number;
}

export const leasesRepository = {
  /**
   * Takes the lease, or renews it, when it is free, expired or already ours; one statement, so two instances asking
   * at once cannot both get it. True when `holder` holds it afterwards. Times are the database's (Postgres), so the
   * instances' clocks need not agree.
   */
  async tryAcquire(db: Executor, name: string, holder: string, ttlMs: number, nowIso: string): Promise<boolean> {
    const nowMs = DB_NOW_MS;
    const expires = sql<number>`${DB_NOW_MS} + ${ttlMs}`;
    const row = await db
      .insertInto('job_leases')
      .values({ name, holder, expires_at_ms: expires, acquired_at: nowIso })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({
            holder,
            expires_at_ms: expires,
            acquired_at: sql<string>`case when job_leases.holder = ${holder} then job_leases.acquired_at else ${nowIso} end`,
          })
          .where((eb) => eb.or([eb('job_leases.holder', '=', holder), eb('job_leases.expires_at_ms', '<', nowMs)])),
      )
      .returning('holder')
      .executeTakeFirst();
    return row?.holder === holder;
  },

  async release(db: Executor, name: string, holder: string): Promise<void> {
    await db.deleteFrom('job_leases').where('name', '=', name).where('holder', '=', holder).execute();
  },

  async all(db: Executor): Promise<LeaseRow[]> {
    const rows = await db.selectFrom('job_leases').select(['name', 'holder', 'expires_at_ms']).orderBy('name').execute();
    return rows.map((r) => ({ name: r.name, holder: r.holder, expiresAtMs: Number(r.expires_at_ms) }));
  },
};
