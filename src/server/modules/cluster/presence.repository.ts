import { sql } from 'kysely';
import type { Executor } from '../../db/handle.js';
import { DB_NOW_MS } from '../../db/db-clock.js';

export const presenceRepository = {
  /** Replaces this instance's counts (principal → open connections), stamped with the database's time. */
  async publish(db: Executor, instanceId: string, counts: ReadonlyMap<string, number>): Promise<void> {
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('ws_presence').where('instance_id', '=', instanceId).execute();
      const rows = [...counts]
        .filter(([, n]) => n > 0)
        .map(([principal, connections]) => ({ instance_id: instanceId, principal, connections, seen_at_ms: DB_NOW_MS }));
      if (rows.length > 0) await trx.insertInto('ws_presence').values(rows).execute();
    });
  },

  /** Open connections per principal on the other live instances (those that reported within `freshMs`). */
  async others(db: Executor, instanceId: string, freshMs: number): Promise<Map<string, number>> {
    const rows = await db
      .selectFrom('ws_presence')
      .select(['principal', sql<number>`sum(connections)`.as('n')])
      .where('instance_id', '!=', instanceId)
      .where('seen_at_ms', '>', sql<number>`${DB_NOW_MS} - ${freshMs}`)
      .groupBy('principal')
      .execute();
    return new Map(rows.map((r) => [r.principal, Number(r.n)]));
  },

  async remove(db: Executor, instanceId: string): Promise<void> {
    await db.deleteFrom('ws_presence').where('instance_id', '=', instanceId).execute();
  },
};
