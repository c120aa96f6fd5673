import type { Selectable } from 'kysely';
import type { Executor } from '../../db/handle.js';
import { rowsById, upsertById } from '../../db/upsert.js';
import type { AgentsTable } from '../../db/schema.js';

export type AgentRow = Selectable<AgentsTable>;

export const agentsRepository = {
  rowsByIds(db: Executor, ids: readonly string[]): Promise<Map<string, AgentRow>> {
    return rowsById(db, 'agents', ids);
  },

  upsertRows(db: Executor, rows: readonly AgentRow[]): Promise<void> {
    return upsertById(db, 'agents', rows);
  },

  /** All agents by name, or the first `limit`. */
  async list(db: Executor, limit?: number): Promise<{ id: string; name: string; type: string; ownerTeam: string | null }[]> {
    let q = db.selectFrom('agents').selectAll().orderBy('name').orderBy('id');
    if (limit !== undefined) q = q.limit(limit);
    const rows = await q.execute();
    return rows.map((r) => ({ id: r.id, name: r.name, type: r.type, ownerTeam: r.owner_team }));
  },
};
