import type { Selectable } from 'kysely';
import type { Project, ProjectDetails, ProjectsQuery, Status } from '../../../contracts/index.js';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import { rowsById, upsertById } from '../../db/upsert.js';
import { stampOf } from '../events/data.js';
import type { ProjectsTable } from '../../db/schema.js';

export type ProjectRow = Selectable<ProjectsTable>;
const OPEN_STATUSES: Status[] = ['queued', 'in_progress', 'blocked'];

function toProject(r: ProjectRow, now: string): Project {
  return {
    id: r.id,
    name: r.name,
    ownerId: r.owner_id,
    status: r.status as Status,
    progressPct: r.progress_pct,
    dueAt: r.due_at,
    riskFlag: r.risk_flag === 1,
    overdue: r.due_at !== null && r.due_at < now && OPEN_STATUSES.includes(r.status as Status),
    updatedAt: r.updated_at,
    details: r.details_json ? (JSON.parse(r.details_json) as ProjectDetails) : null,
    rowVersion: stampOf(r.version_at, r.version_key),
  };
}

export type ProjectFilter = Omit<ProjectsQuery, 'page' | 'pageSize'>;

function filtered(db: Executor, f: ProjectFilter, now: string) {
  let q = db.selectFrom('projects');
  if (f.status) q = q.where('status', 'in', f.status);
  if (f.ownerId) q = q.where('owner_id', '=', f.ownerId);
  if (f.riskFlag !== undefined) q = q.where('risk_flag', '=', f.riskFlag ? 1 : 0);
  if (f.overdue === true) q = q.where('due_at', '<', now).where('status', 'in', OPEN_STATUSES);
  if (f.overdue === false) {
    q = q.where((eb) => eb.or([eb('due_at', 'is', null), eb('due_at', '>=', now), eb('status', 'not in', OPEN_STATUSES)]));
  }
  return q;
}

export const projectsRepository = {
  async list(db: Executor, f: ProjectFilter, page: number, pageSize: number, now: string): Promise<{ items: Project[]; total: number }> {
    const [rows, count] = await Promise.all([
      filtered(db, f, now)
        .selectAll()
        .orderBy('name')
        .orderBy('id')
        .limit(pageSize)
        .offset((page - 1) * pageSize)
        .execute(),
      filtered(db, f, now)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map((r) => toProject(r, now)), total: Number(count.n) };
  },

  async namesByIds(db: Executor, ids: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const part of chunks(ids))
      for (const r of await db.selectFrom('projects').select(['id', 'name']).where('id', 'in', part).execute()) out.set(r.id, r.name);
    return out;
  },

  async findById(db: Executor, id: string, now: string): Promise<Project | undefined> {
    const row = await db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toProject(row, now) : undefined;
  },

  async exists(db: Executor, id: string): Promise<boolean> {
    return (await db.selectFrom('projects').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  },

  /** The first `limit` projects by name, for pickers (ids and names only). */
  async directory(db: Executor, limit: number): Promise<{ id: string; name: string }[]> {
    return db.selectFrom('projects').select(['id', 'name']).orderBy('name').orderBy('id').limit(limit).execute();
  },

  // ----- projection side -----
  rowsByIds(db: Executor, ids: readonly string[]): Promise<Map<string, ProjectRow>> {
    return rowsById(db, 'projects', ids);
  },

  upsertRows(db: Executor, rows: readonly ProjectRow[]): Promise<void> {
    return upsertById(db, 'projects', rows);
  },

  /** Names by project id (projects without one are left out). */
  async namesOf(db: Executor, ids: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const part of chunks(ids))
      for (const r of await db.selectFrom('projects').select(['id', 'name']).where('id', 'in', part).execute()) if (r.name) out.set(r.id, r.name);
    return out;
  },
};
