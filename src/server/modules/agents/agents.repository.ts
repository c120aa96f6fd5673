import type { Selectable } from 'kysely';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import type { AgentsTable } from '../../db/schema.js';

export type AgentRow = Selectable<AgentsTable>;

export const agentsRepository = {
  async rowsByIds(db: Executor, ids: readonly string[]): Promise<Map<string, AgentRow>> {
    const found = [];
    for (const part of chunks(ids)) found.push(...(await db.selectFrom('agents').selectAll().where('id', 'in', part).execute()));
    return new Map(found.map((r) => [r.id, r]));
  },

  async upsertRows(db: Executor, rows: readonly AgentRow[]): Promise<void> {
    for (const part of chunks(rows)) {
      await db
        .insertInto('agents')
        .values(part)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            name: eb.ref('excluded.name'),
            type: eb.ref('excluded.type'),
            owner_team: eb.ref('excluded.owner_team'),
            created_at: eb.ref('excluded.created_at'),
            version_at: eb.ref('excluded.version_at'),
            version_key: eb.ref('excluded.version_key'),
          })),
      )
        .execute();
    }
  },

  async list(db: Executor): Promise<{ id: string; name: string; type: string; ownerTeam: string | null }[]> {
    const rows = await db.selectFrom('agents').selectAll().orderBy('name').orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, type: r.type, ownerTeam: r.owner_team }));
  },
};
