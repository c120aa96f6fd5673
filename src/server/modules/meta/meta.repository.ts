import type { Executor } from '../../db/handle.js';

export const metaRepository = {
  /** The database epoch, made by the migrator when the database was created. */
  async epoch(db: Executor): Promise<string> {
    const row = await db.selectFrom('meta').select('value').where('key', '=', 'epoch').executeTakeFirstOrThrow();
    return row.value;
  },
};
