import type { DocumentMeta, Epic, Integrity, Page, Project, ProjectsQuery, Story, Workflow } from '../../../contracts/index.js';
import { consistencyRepository } from '../consistency/index.js';
import type { Clock } from '../../clock.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { notFound } from '../../http/errors.js';
import { documentsRepository } from '../documents/index.js';
import type { costSumsRepository } from '../costs/index.js';
import { costPerDoneStory, costsByKey, NO_COST, withCosts } from '../stories/index.js';
import { storiesRepository, type BoardStories } from '../stories/index.js';
import { workflowsRepository } from '../workflows/index.js';
import { projectsRepository } from './projects.repository.js';
import { epicsRepository } from '../epics/index.js';

/** How many related rows the context view returns per kind; `truncated` says when there were more. */
export const CONTEXT_LIMIT = 500;

/** Where projects and their stories get their cost to date: handed in, because the costs module reads this one. */
export type ProjectCosts = Pick<typeof costSumsRepository, 'byProjects' | 'byStories'>;

export class ProjectsService {
  constructor(
    private readonly db: DatabaseHandle,
    private readonly clock: Clock,
    private readonly costs: ProjectCosts,
    /** The board's stories, kept in memory while the project's board version is unchanged: the context shows them too. */
    private readonly stories: Pick<BoardStories, 'of'>,
  ) {}

  async list(q: ProjectsQuery): Promise<Page<Project>> {
    const { page, pageSize, ...filter } = q;
    const { items, total } = await projectsRepository.list(this.db.read, filter, page, pageSize, this.clock.now().toISOString());
    return { items: await this.withCosts(items), page, pageSize, total };
  }

  async get(id: string): Promise<Project> {
    const project = await projectsRepository.findById(this.db.read, id, this.clock.now().toISOString());
    if (!project) throw notFound('project', id);
    return (await this.withCosts([project]))[0]!;
  }

  /** Cost to date, done stories and cost per done story, for a page of projects in two grouped queries. */
  private async withCosts(projects: readonly Project[]): Promise<Project[]> {
    const ids = projects.map((p) => p.id);
    const [rows, done] = await Promise.all([this.costs.byProjects(this.db.read, ids), storiesRepository.doneCountByProjects(this.db.read, ids)]);
    const costs = costsByKey(ids, rows);
    return projects.map((p) => {
      const cost = costs.get(p.id) ?? NO_COST;
      const doneStories = done.get(p.id) ?? 0;
      return { ...p, cost, doneStories, costPerDoneStory: costPerDoneStory(cost, doneStories) };
    });
  }

  async context(id: string): Promise<{
    project: Project;
    stories: Story[];
    workflows: Workflow[];
    documents: DocumentMeta[];
    epics: Epic[];
    truncated: { stories: boolean; workflows: boolean; documents: boolean };
  }> {
    const project = await this.get(id);
    const [stories, workflows, documents, epics] = await Promise.all([
      // In the board's order (epic, then id): its first CONTEXT_LIMIT + 1 are what byProject would read.
      this.stories.of(this.db.read, id).then((all) => all.slice(0, CONTEXT_LIMIT + 1)),
      workflowsRepository.recent(this.db.read, { projectId: id }, CONTEXT_LIMIT + 1, storiesRepository),
      documentsRepository.byProject(this.db.read, id, CONTEXT_LIMIT + 1),
      epicsRepository.byProject(this.db.read, id, CONTEXT_LIMIT),
    ]);
    const shown = stories.slice(0, CONTEXT_LIMIT);
    const storyCosts = await this.costs.byStories(
      this.db.read,
      shown.map((s) => s.id),
    );
    return {
      project,
      stories: withCosts(shown, storyCosts),
      epics,
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
