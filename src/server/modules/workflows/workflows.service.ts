import type { Page, Transition, Workflow, WorkflowsQuery } from '../../../contracts/index.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { notFound } from '../../http/errors.js';
import { withCostAndSessions } from './run-cost.js';
import { workflowsRepository, type StoryTitles } from './workflows.repository.js';

export class WorkflowsService {
  constructor(
    private readonly db: DatabaseHandle,
    private readonly stories: StoryTitles,
  ) {}

  async list(q: WorkflowsQuery): Promise<Page<Workflow>> {
    const { page, pageSize, ...filter } = q;
    const { items, total } = await workflowsRepository.list(this.db.read, filter, page, pageSize, this.stories);
    return { items: await withCostAndSessions(this.db.read, items), page, pageSize, total };
  }

  async get(id: string): Promise<Workflow> {
    const w = await workflowsRepository.findById(this.db.read, id, this.stories);
    if (!w) throw notFound('workflow', id);
    return (await withCostAndSessions(this.db.read, [w]))[0]!;
  }

  async transitions(id: string, limit: number): Promise<{ items: Transition[] }> {
    await this.get(id);
    return { items: await workflowsRepository.transitions(this.db.read, id, limit) };
  }
}
