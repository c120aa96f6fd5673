import type { Page, Transition, Workflow, WorkflowsQuery } from '../../../contracts/index.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { notFound } from '../../http/errors.js';
import { workflowsRepository } from './workflows.repository.js';

export class WorkflowsService {
  constructor(private readonly db: DatabaseHandle) {}

  async list(q: WorkflowsQuery): Promise<Page<Workflow>> {
    const { page, pageSize, ...filter } = q;
    const { items, total } = await workflowsRepository.list(this.db.read, filter, page, pageSize);
    return { items, page, pageSize, total };
  }

  async get(id: string): Promise<Workflow> {
    return (await workflowsRepository.findById(this.db.read, id)) ?? Promise.reject(notFound('workflow', id));
  }

  async transitions(id: string, limit: number): Promise<{ items: Transition[] }> {
    await this.get(id);
    return { items: await workflowsRepository.transitions(this.db.read, id, limit) };
  }
}
