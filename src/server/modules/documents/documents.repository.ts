import { RENDERABLE_MIME_TYPES, type DocumentMeta, type DocumentsQuery } from '../../../contracts/index.js';
import { sql, type Selectable } from 'kysely';
import type { DocumentVersion } from '../../../contracts/index.js';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import type { DocumentsTable, DocumentVersionsTable } from '../../db/schema.js';
import { rowsById, upsertById } from '../../db/upsert.js';
import { stampOf } from '../events/data.js';

export type DocumentRow = Selectable<DocumentsTable>;

function toDocument(r: Selectable<DocumentsTable>): DocumentMeta {
  return {
    id: r.id,
    projectId: r.project_id,
    storyId: r.story_id,
    title: r.title,
    mimeType: r.mime_type,
    checksum: r.checksum,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    root: r.root,
    path: r.path,
    sizeBytes: r.size_bytes,
    kind: r.kind,
    supersededBy: r.superseded_by,
    renderable: (RENDERABLE_MIME_TYPES as readonly string[]).includes(r.mime_type),
    rowVersion: stampOf(r.version_at, r.version_key),
  };
}

export type DocumentFilter = Omit<DocumentsQuery, 'page' | 'pageSize'>;

/** Live documents (not removed) matching the filter. */
function filtered(db: Executor, f: DocumentFilter) {
  let q = db.selectFrom('documents').where('removed_at', 'is', null);
  if (f.projectId) q = q.where('project_id', '=', f.projectId);
  if (f.storyId) q = q.where('story_id', '=', f.storyId);
  if (f.kind) q = q.where('kind', '=', f.kind);
  return q;
}

export const documentsRepository = {
  toDocument,

  async list(db: Executor, f: DocumentFilter, page: number, pageSize: number): Promise<{ items: DocumentMeta[]; total: number }> {
    const [rows, count] = await Promise.all([
      filtered(db, f)
        .selectAll()
        .orderBy('title')
        .orderBy('id')
        .limit(pageSize)
        .offset((page - 1) * pageSize)
        .execute(),
      filtered(db, f)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toDocument), total: Number(count.n) };
  },

  /** A live document's row (undefined when unknown or removed). */
  async findLiveRow(db: Executor, id: string): Promise<DocumentRow | undefined> {
    return db.selectFrom('documents').selectAll().where('id', '=', id).where('removed_at', 'is', null).executeTakeFirst();
  },

  rowsByIds(db: Executor, ids: readonly string[]): Promise<Map<string, DocumentRow>> {
    return rowsById(db, 'documents', ids);
  },

  upsertRows(db: Executor, rows: readonly DocumentRow[]): Promise<void> {
    return upsertById(db, 'documents', rows);
  },

  /** Versions are merged per instant: the facts one report lacks (a checksum, a commit) come from the other. */
  async upsertVersions(db: Executor, rows: readonly Selectable<DocumentVersionsTable>[]): Promise<void> {
    for (const part of chunks(rows)) {
      await db
        .insertInto('document_versions')
        .values(part)
        .onConflict((oc) =>
          oc.columns(['document_id', 'occurred_at_utc']).doUpdateSet((eb) => ({
            checksum: sql<string>`coalesce(${eb.ref('excluded.checksum')}, ${eb.ref('document_versions.checksum')})`,
            size_bytes: sql<number>`coalesce(${eb.ref('excluded.size_bytes')}, ${eb.ref('document_versions.size_bytes')})`,
            actor_id: sql<string>`coalesce(${eb.ref('document_versions.actor_id')}, ${eb.ref('excluded.actor_id')})`,
            commit_hash: sql<string>`coalesce(${eb.ref('excluded.commit_hash')}, ${eb.ref('document_versions.commit_hash')})`,
            commit_subject: sql<string>`coalesce(${eb.ref('excluded.commit_subject')}, ${eb.ref('document_versions.commit_subject')})`,
          })),
        )
        .execute();
    }
  },

  /** A document's versions, newest first. */
  async versions(db: Executor, documentId: string, limit: number): Promise<DocumentVersion[]> {
    const rows = await db
      .selectFrom('document_versions')
      .selectAll()
      .where('document_id', '=', documentId)
      .orderBy('occurred_at_utc', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      at: r.occurred_at_utc,
      checksum: r.checksum,
      sizeBytes: r.size_bytes,
      actorId: r.actor_id,
      commit: r.commit_hash ? { hash: r.commit_hash, subject: r.commit_subject } : null,
      eventId: r.event_id,
    }));
  },

  async recent(db: Executor, limit: number): Promise<DocumentMeta[]> {
    const rows = await db
      .selectFrom('documents')
      .selectAll()
      .where('removed_at', 'is', null)
      .orderBy('updated_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toDocument);
  },

  async byProject(db: Executor, projectId: string, limit: number): Promise<DocumentMeta[]> {
    const rows = await db
      .selectFrom('documents')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('removed_at', 'is', null)
      .orderBy('title')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toDocument);
  },

  /** The documents (not removed) attached to these stories. */
  async liveOfStories(db: Executor, storyIds: readonly string[]): Promise<{ id: string; storyId: string; title: string }[]> {
    const out: { id: string; storyId: string; title: string }[] = [];
    for (const part of chunks(storyIds)) {
      const rows = await db.selectFrom('documents').select(['id', 'story_id', 'title']).where('story_id', 'in', part).where('removed_at', 'is', null).execute();
      for (const r of rows) out.push({ id: r.id, storyId: r.story_id!, title: r.title });
    }
    return out;
  },
};
