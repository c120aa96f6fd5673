import { RENDERABLE_MIME_TYPES, type DocumentMeta } from '../../../contracts/index.js';
import type { Selectable } from 'kysely';
import type { Executor } from '../../db/handle.js';
import type { DocumentsTable } from '../../db/schema.js';
import { rowsById, upsertById } from '../../db/upsert.js';

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
    renderable: (RENDERABLE_MIME_TYPES as readonly string[]).includes(r.mime_type),
  };
}

export const documentsRepository = {
  rowsByIds(db: Executor, ids: readonly string[]): Promise<Map<string, DocumentRow>> {
    return rowsById(db, 'documents', ids);
  },

  upsertRows(db: Executor, rows: readonly DocumentRow[]): Promise<void> {
    return upsertById(db, 'documents', rows);
  },

  async recent(db: Executor, limit: number): Promise<DocumentMeta[]> {
    const rows = await db.selectFrom('documents').selectAll().where('removed_at', 'is', null).orderBy('updated_at', 'desc').orderBy('id').limit(limit).execute();
    return rows.map(toDocument);
  },

  async byProject(db: Executor, projectId: string, limit: number): Promise<DocumentMeta[]> {
    const rows = await db.selectFrom('documents').selectAll().where('project_id', '=', projectId).where('removed_at', 'is', null).orderBy('title').orderBy('id').limit(limit).execute();
    return rows.map(toDocument);
  },
};
