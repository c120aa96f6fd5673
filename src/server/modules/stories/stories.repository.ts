import type { Selectable } from 'kysely';
import type { Status, StoriesQuery, Story } from '../../../contracts/index.js';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import type { StoriesTable } from '../../db/schema.js';

export type StoryRow = Selectable<StoriesTable>;

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
  };
}

export type StoryFilter = Omit<StoriesQuery, 'page' | 'pageSize'>;

function filtered(db: Executor, f: StoryFilter) {
  let q = db.selectFrom('stories');
  if (f.projectId) q = q.where('project_id', '=', f.projectId);
  if (f.status) q = q.where('status', 'in', f.status);
  if (f.column) {
    const column = f.column;
    q = q.where((eb) =>
      eb.or([eb('kanban_column', '=', column), eb.and([eb('kanban_column', 'is', null), eb('status', '=', column)])]),
    );
  }
  return q;
}

export const storiesRepository = {
  async list(db: Executor, f: StoryFilter, page: number, pageSize: number): Promise<{ items: Story[]; total: number }> {
    const [rows, count] = await Promise.all([
      filtered(db, f).selectAll().orderBy('updated_at', 'desc').orderBy('id').limit(pageSize).offset((page - 1) * pageSize).execute(),
      filtered(db, f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toStory), total: Number(count.n) };
  },

  async findById(db: Executor, id: string): Promise<Story | undefined> {
    const row = await db.selectFrom('stories').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toStory(row) : undefined;
  },

  /** All stories of a project (board and context views), in a stable order; capped to protect the server. */
  async byProject(db: Executor, projectId: string, limit: number): Promise<Story[]> {
    const rows = await db
      .selectFrom('stories')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('epic', (ob) => ob.asc().nullsLast())
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toStory);
  },

  // ----- projection side -----
  async rowsByIds(db: Executor, ids: readonly string[]): Promise<Map<string, StoryRow>> {
    const found = [];
    for (const part of chunks(ids)) found.push(...(await db.selectFrom('stories').selectAll().where('id', 'in', part).execute()));
    return new Map(found.map((r) => [r.id, r]));
  },

  async upsertRows(db: Executor, rows: readonly StoryRow[]): Promise<void> {
    for (const part of chunks(rows)) {
      await db
        .insertInto('stories')
        .values(part)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            project_id: eb.ref('excluded.project_id'),
            title: eb.ref('excluded.title'),
            owner_id: eb.ref('excluded.owner_id'),
            epic: eb.ref('excluded.epic'),
            attrs_at: eb.ref('excluded.attrs_at'),
            attrs_key: eb.ref('excluded.attrs_key'),
            status: eb.ref('excluded.status'),
            kanban_column: eb.ref('excluded.kanban_column'),
            status_at: eb.ref('excluded.status_at'),
            status_key: eb.ref('excluded.status_key'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
      )
        .execute();
    }
  },
};
