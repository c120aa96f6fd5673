import type { DocumentMeta } from '../../../contracts/index.js';
import type { Executor } from '../../db/handle.js';

export const documentsRepository = {
  async byProject(db: Executor, projectId: string, limit: number): Promise<DocumentMeta[]> {
    const rows = await db.selectFrom('documents').selectAll().where('project_id', '=', projectId).orderBy('title').orderBy('id').limit(limit).execute();
    return rows.map((r) => ({
      id: r.id,
      projectId: r.project_id,
      storyId: r.story_id,
      title: r.title,
      mimeType: r.mime_type,
      checksum: r.checksum,
      createdAt: r.created_at,
    }));
  },
};
