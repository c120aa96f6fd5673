import type { Executor } from '../../db/handle.js';

/** The `meta` key that marks a database whose data was made by the demo generator (see src/server/demo). */
const DEMO_KEY = 'demo';

export const metaRepository = {
  /** The database epoch, made by the migrator when the database was created. */
  async epoch(db: Executor): Promise<string> {
    const row = await db.selectFrom('meta').select('value').where('key', '=', 'epoch').executeTakeFirstOrThrow();
    return row.value;
  },

  /** Whether the demo generator seeded this database. */
  async isDemo(db: Executor): Promise<boolean> {
    const row = await db.selectFrom('meta').select('value').where('key', '=', DEMO_KEY).executeTakeFirst();
    return row?.value === '1';
  },

  async markDemo(db: Executor): Promise<void> {
    await db
      .insertInto('meta')
      .values({ key: DEMO_KEY, value: '1' })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: '1' }))
      .execute();
  },
};
