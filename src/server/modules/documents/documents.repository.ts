import type { DocumentMeta } from '../../../contracts/index.js';
import type { Selectable } from 'kysely';
import type { Executor } from '../../db/handle.js';
import type { DocumentsTable } from '../../db/schema.js';

function toDocument(r: Selectable<DocumentsTable>): DocumentMeta {
  return { id: r.id, projectId: r.project_id, storyId: r.story_id, title: r.title, mimeType: r.mime_type, checksum: r.checksum, createdAt: r.created_at };
}

export const documentsRepository = {
  async recent(db: Executor, limit: number): Promise<DocumentMeta[]> {
    const rows = await db.selectFrom('documents').selectAll().orderBy('updated_at', 'desc').orderBy('id').limit(limit).execute();
    return rows.map(toDocument);
  },

  async byProject(db: Executor, projectId: string, limit: number): Promise<DocumentMeta[]> {
    const rows = await db.selectFrom('documents').selectAll().where('project_id', '=', projectId).orderBy('title').orderBy('id').limit(limit).execute();
    return rows.map(toDocument);
  },
};
