import type { Selectable } from 'kysely';
import type { Epic, Status } from '../../../contracts/index.js';
import type { Executor } from '../../db/handle.js';
import type { EpicsTable } from '../../db/schema.js';
import { rowsById, upsertById } from '../../db/upsert.js';

export type EpicRow = Selectable<EpicsTable>;

export function toEpic(r: EpicRow): Epic {
  return {
    id: r.id,
    projectId: r.project_id,
    key: r.epic_key,
    title: r.title,
    status: r.status as Status | null,
    sourceStatus: r.source_status,
    retrospective: r.retrospective_json ? (JSON.parse(r.retrospective_json) as Epic['retrospective']) : null,
    statusSince: r.status_at,
    updatedAt: r.updated_at,
  };
}

export const epicsRepository = {
  /** A project's epics in their own order (numeric keys numerically, then the rest by key). */
  async byProject(db: Executor, projectId: string, limit: number): Promise<Epic[]> {
    const rows = await db.selectFrom('epics').selectAll().where('project_id', '=', projectId).limit(limit).execute();
    const num = (k: string | null) => (k !== null && /^\d+$/.test(k) ? Number(k) : Number.MAX_SAFE_INTEGER);
    return rows.sort((a, b) => num(a.epic_key) - num(b.epic_key) || ((a.epic_key ?? a.id) < (b.epic_key ?? b.id) ? -1 : 1)).map(toEpic);
  },

  /** The epics with these (project, key) pairs, for labels. */
  async byProjectKeys(db: Executor, pairs: readonly { projectId: string; key: string }[]): Promise<Epic[]> {
    const projects = [...new Set(pairs.map((p) => p.projectId))];
    if (projects.length === 0) return [];
    const rows = await db.selectFrom('epics').selectAll().where('project_id', 'in', projects).execute();
    const wanted = new Set(pairs.map((p) => `${p.projectId}\u0000${p.key}`));
    return rows.filter((r) => r.project_id !== null && r.epic_key !== null && wanted.has(`${r.project_id}\u0000${r.epic_key}`)).map(toEpic);
  },

  // ----- projection side -----
  rowsByIds(db: Executor, ids: readonly string[]): Promise<Map<string, EpicRow>> {
    return rowsById(db, 'epics', ids);
  },

  upsertRows(db: Executor, rows: readonly EpicRow[]): Promise<void> {
    return upsertById(db, 'epics', rows);
  },
};
