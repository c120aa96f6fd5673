import { sql } from 'kysely';
import type { Executor } from '../../db/handle.js';

export const directoryRepository = {
  async projects(db: Executor, limit: number): Promise<{ id: string; name: string }[]> {
    return db.selectFrom('projects').select(['id', 'name']).orderBy('name').orderBy('id').limit(limit).execute();
  },

  /** People: accounts and people known from events. Only names and emails: never hashes, roles or preferences. */
  async people(db: Executor, limit: number): Promise<{ id: string; displayName: string | null; email: string | null }[]> {
    const rows = await db
      .selectFrom('users')
      .select(['id', 'display_name', 'email'])
      .orderBy(sql`coalesce(display_name, email, id) collate nocase`)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: r.id, displayName: r.display_name, email: r.email }));
  },
};
