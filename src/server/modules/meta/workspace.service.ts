import type { WorkspaceInfo } from '../../../contracts/index.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { metaRepository } from './meta.repository.js';

/** What the web app needs to know about this workspace as a whole: demo data or not, editable Kanban or not. */
export class WorkspaceService {
  constructor(
    private readonly db: DatabaseHandle,
    private readonly opts: { kanbanEditable: boolean },
  ) {}

  async info(): Promise<WorkspaceInfo> {
    return { demo: await metaRepository.isDemo(this.db.read), kanbanEditable: this.opts.kanbanEditable };
  }
}
