import { sql, type Selectable } from 'kysely';
import type { Status, StoriesQuery, Story } from '../../../contracts/index.js';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import { rowsById, upsertById } from '../../db/upsert.js';
import { stampOf } from '../events/data.js';
import type { StoriesTable } from '../../db/schema.js';

export type StoryRow = Selectable<StoriesTable>;

/** What a cost breakdown names a story by: its title, and the project and epic an epic breakdown folds it into. */
export interface StoryLabel {
  title: string | null;
  projectId: string | null;
  epic: string | null;
}

const byEpicThenId = (a: StoryRow, b: StoryRow): number =>
  a.epic === b.epic ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.epic === null ? 1 : b.epic === null ? -1 : a.epic < b.epic ? -1 : 1;

export function toStory(r: StoryRow): Story {
  return {
    id: r.id,
    projectId: r.project_id,
    title: r.title,
    ownerId: r.owner_id,
    status: r.status as Status | null,
    // A story with no explicit column sits in the column of its status.
    kanbanColumn: r.kanban_column ?? r.status,
    epic: r.epic,
    statusSince: r.status_at,
    updatedAt: r.updated_at,
    details: r.details_json ? (JSON.parse(r.details_json) as Story['details']) : null,
    findings: [],
    attrsVersion: stampOf(r.attrs_at, r.attrs_key),
    statusVersion: stampOf(r.status_at, r.status_key),
  };
}

export type StoryFilter = Omit<StoriesQuery, 'page' | 'pageSize'>;

function filtered(db: Executor, f: StoryFilter) {
  let q = db.selectFrom('stories');
  if (f.projectId) q = q.where('project_id', '=', f.projectId);
  if (f.status) q = q.where('status', 'in', f.status);
  if (f.column) {
    const column = f.column;
    q = q.where((eb) => eb.or([eb('kanban_column', '=', column), eb.and([eb('kanban_column', 'is', null), eb('status', '=', column)])]));
  }
  return q;
}

export const storiesRepository = {
  async list(db: Executor, f: StoryFilter, page: number, pageSize: number): Promise<{ items: Story[]; total: number }> {
    const [rows, count] = await Promise.all([
      filtered(db, f)
        .selectAll()
        .orderBy('updated_at', 'desc')
        .orderBy('id')
        .limit(pageSize)
        .offset((page - 1) * pageSize)
        .execute(),
      filtered(db, f)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toStory), total: Number(count.n) };
  },

  async findById(db: Executor, id: string): Promise<Story | undefined> {
    const row = await db.selectFrom('stories').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toStory(row) : undefined;
  },

  async byIds(db: Executor, ids: readonly string[]): Promise<Story[]> {
    const out: Story[] = [];
    for (const part of chunks(ids)) out.push(...(await db.selectFrom('stories').selectAll().where('id', 'in', part).execute()).map(toStory));
    return out;
  },

  /**
   * Title, project and epic of every story, or null when there are more than `limit` (a breakdown then looks its
   * stories up by id instead of holding them all).
   */
  async labels(db: Executor, limit: number): Promise<Map<string, StoryLabel> | null> {
    const rows = await db
      .selectFrom('stories')
      .select(['id', 'title', 'project_id', 'epic'])
      .limit(limit + 1)
      .execute();
    if (rows.length > limit) return null;
    return new Map(rows.map((r) => [r.id, { title: r.title, projectId: r.project_id, epic: r.epic }]));
  },

  /** The sum of the board versions: it moves with every change of a story's title, project or epic (see upsertRows). */
  async storiesVersion(db: Executor): Promise<number> {
    const row = await db
      .selectFrom('story_board_versions')
      .select(sql<number>`coalesce(sum(version), 0)`.as('v'))
      .executeTakeFirstOrThrow();
    return Number(row.v);
  },

  /** Title, project and epic of the given stories: three columns, not whole rows. */
  async labelsByIds(db: Executor, ids: readonly string[]): Promise<Map<string, StoryLabel>> {
    const out = new Map<string, StoryLabel>();
    for (const part of chunks(ids))
      for (const r of await db.selectFrom('stories').select(['id', 'title', 'project_id', 'epic']).where('id', 'in', part).execute())
        out.set(r.id, { title: r.title, projectId: r.project_id, epic: r.epic });
    return out;
  },

  /**
   * All stories of a project (board and context views), by epic (none last) then id; capped to protect the server.
   * Under the cap the rows are sorted here, not by the database: SQLite sorts whole rows in a temporary b-tree, which
   * was a third of a 2,000-card board's time. Strings compare by UTF-16 code unit on both backends.
   */
  async byProject(db: Executor, projectId: string, limit: number): Promise<Story[]> {
    const base = db.selectFrom('stories').selectAll().where('project_id', '=', projectId);
    let rows = await base.limit(limit + 1).execute();
    if (rows.length > limit)
      rows = await base
        .orderBy('epic', (ob) => ob.asc().nullsLast())
        .orderBy('id')
        .limit(limit)
        .execute();
    else rows.sort(byEpicThenId);
    return rows.map(toStory);
  },

  /** How many stories of each project are done. */
  async doneCountByProjects(db: Executor, projectIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const part of chunks(projectIds)) {
      const rows = await db
        .selectFrom('stories')
        .select((eb) => ['project_id', eb.fn.countAll<number>().as('n')])
        .where('project_id', 'in', part)
        .where('status', '=', 'done')
        .groupBy('project_id')
        .execute();
      for (const r of rows) out.set(r.project_id!, Number(r.n));
    }
    return out;
  },

  // ----- projection side -----
  rowsByIds(db: Executor, ids: readonly string[]): Promise<Map<string, StoryRow>> {
    return rowsById(db, 'stories', ids);
  },

  /**
   * Writes the rows and raises the board version of each project they are in, and of `formerProjects` (those the
   * stories were in before), in the caller's transaction: a board read from memory is valid only while it is unchanged.
   * A story's title, project and epic come only with its upsert, which names a project: so the sum of all versions
   * moves with every change of them (the validator of StoryLabels).
   */
  async upsertRows(db: Executor, rows: readonly StoryRow[], formerProjects: Iterable<string | null> = []): Promise<void> {
    await upsertById(db, 'stories', rows);
    const projects = new Set<string>();
    for (const p of formerProjects) if (p !== null) projects.add(p);
    for (const r of rows) if (r.project_id !== null) projects.add(r.project_id);
    for (const part of chunks([...projects]))
      await db
        .insertInto('story_board_versions')
        .values(part.map((project_id) => ({ project_id, version: 1 })))
        .onConflict((oc) => oc.column('project_id').doUpdateSet({ version: sql<number>`story_board_versions.version + 1` }))
        .execute();
  },

  /** A project's board version (0 before any of its stories was written since migration 020). */
  async boardVersion(db: Executor, projectId: string): Promise<number> {
    const row = await db.selectFrom('story_board_versions').select('version').where('project_id', '=', projectId).executeTakeFirst();
    return row ? Number(row.version) : 0;
  },

  /** Titles by story id (stories without one are left out). */
  async titlesOf(db: Executor, ids: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const part of chunks(ids))
      for (const r of await db.selectFrom('stories').select(['id', 'title']).where('id', 'in', part).execute()) if (r.title) out.set(r.id, r.title);
    return out;
  },
};
