import type { Executor } from '../../db/handle.js';
import { readMeta, writeMeta } from '../../db/meta.js';

/** The `meta` key that marks a database whose data was made by the demo generator (see src/server/demo). */
const DEMO_KEY = 'demo';

export const metaRepository = {
  /** The database epoch, made by the migrator when the database was created. */
  async epoch(db: Executor): Promise<string> {
    const value = await readMeta(db, 'epoch');
    if (value === undefined) throw new Error('the database has no epoch in meta (it was not made by the migrator)');
    return value;
  },

  /** Whether the demo generator seeded this database. */
  async isDemo(db: Executor): Promise<boolean> {
    return (await readMeta(db, DEMO_KEY)) === '1';
  },

  async markDemo(db: Executor): Promise<void> {
    await writeMeta(db, DEMO_KEY, '1');
  },
};
