import { sql } from 'kysely';
import type { Executor } from '../../db/handle.js';

export const rateLimitRepository = {
  /** One more hit in the bucket's window; returns the window's count after it (one statement: instances cannot both miss it). */
  async hit(db: Executor, bucket: string, windowStartMs: number): Promise<number> {
    const row = await db
      .insertInto('rate_limit_hits')
      .values({ bucket, window_start_ms: windowStartMs, hits: 1 })
      .onConflict((oc) => oc.columns(['bucket', 'window_start_ms']).doUpdateSet({ hits: sql<number>`rate_limit_hits.hits + 1` }))
      .returning('hits')
      .executeTakeFirstOrThrow();
    return Number(row.hits);
  },

  async unhit(db: Executor, bucket: string, windowStartMs: number): Promise<void> {
    await db
      .updateTable('rate_limit_hits')
      .set({ hits: sql<number>`hits - 1` })
      .where('bucket', '=', bucket)
      .where('window_start_ms', '=', windowStartMs)
      .where('hits', '>', 0)
      .execute();
  },

  async reset(db: Executor, bucket: string): Promise<void> {
    await db.deleteFrom('rate_limit_hits').where('bucket', '=', bucket).execute();
  },

  async pruneBefore(db: Executor, windowStartMs: number): Promise<void> {
    await db.deleteFrom('rate_limit_hits').where('window_start_ms', '<', windowStartMs).execute();
  },
};
