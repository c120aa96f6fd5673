import type { DocumentMeta, Integrity, Page, Project, ProjectsQuery, Story, Workflow } from '../../../contracts/index.js';
import { consistencyRepository } from '../consistency/consistency.repository.js';
import type { Clock } from '../../clock.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { notFound } from '../../http/errors.js';
import { documentsRepository } from '../documents/documents.repository.js';
import { storiesRepository } from '../stories/stories.repository.js';
import { workflowsRepository } from '../workflows/workflows.repository.js';
import { projectsRepository } from './projects.repository.js';

/** How many related rows the context view returns per kind; `truncated` says when there were more. */
export const CONTEXT_LIMIT = 500;

export class ProjectsService {
  constructor(
    private readonly db: DatabaseHandle,
    private readonly clock: Clock,
  ) {}

  async list(q: ProjectsQuery): Promise<Page<Project>> {
    const { page, pageSize, ...filter } = q;
    const { items, total } = await projectsRepository.list(this.db.read, filter, page, pageSize, this.clock.now().toISOString());
    return { items, page, pageSize, total };
  }

  async get(id: string): Promise<Project> {
    return (await projectsRepository.findById(this.db.read, id, this.clock.now().toISOString())) ?? Promise.reject(notFound('project', id));
  }

  async context(id: string): Promise<{
    project: Project;
    stories: Story[];
    workflows: Workflow[];
    documents: DocumentMeta[];
    truncated: { stories: boolean; workflows: boolean; documents: boolean };
  }> {
    const project = await this.get(id);
    const [stories, workflows, documents] = await Promise.all([
      storiesRepository.byProject(this.db.read, id, CONTEXT_LIMIT + 1),
      workflowsRepository.list(this.db.read, { projectId: id }, 1, CONTEXT_LIMIT + 1).then((r) => r.items),
      documentsRepository.byProject(this.db.read, id, CONTEXT_LIMIT + 1),
    ]);
    return {
      project,
      stories: stories.slice(0, CONTEXT_LIMIT),
      workflows: workflows.slice(0, CONTEXT_LIMIT),
      documents: documents.slice(0, CONTEXT_LIMIT),
      truncated: { stories: stories.length > CONTEXT_LIMIT, workflows: workflows.length > CONTEXT_LIMIT, documents: documents.length > CONTEXT_LIMIT },
    };
  }

  /** The project's consistency findings (e.g. story files that disagree with sprint-status.yaml). */
  async integrity(id: string): Promise<Integrity> {
    await this.get(id);
    const { findings, reportedAt } = await consistencyRepository.byProject(this.db.read, id);
    return { projectId: id, findings, reportedAt };
  }
}
