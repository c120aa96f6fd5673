import { buildBoard, type KanbanBoard, type Page, type StoriesQuery, type Story } from '../../../contracts/index.js';
import type { Clock } from '../../clock.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { notFound } from '../../http/errors.js';
import { projectsRepository } from '../projects/projects.repository.js';
import { consistencyRepository } from '../consistency/consistency.repository.js';
import { storiesRepository } from './stories.repository.js';

export const BOARD_CARD_LIMIT = 5000;

export class StoriesService {
  constructor(
    private readonly db: DatabaseHandle,
    private readonly clock: Clock,
  ) {}

  async list(q: StoriesQuery): Promise<Page<Story>> {
    const { page, pageSize, ...filter } = q;
    const { items, total } = await storiesRepository.list(this.db.read, filter, page, pageSize);
    return { items, page, pageSize, total };
  }

  async board(projectId: string): Promise<KanbanBoard> {
    const [project, stories] = await Promise.all([
      projectsRepository.findById(this.db.read, projectId, this.clock.now().toISOString()),
      storiesRepository.byProject(this.db.read, projectId, BOARD_CARD_LIMIT),
    ]);
    if (!project && stories.length === 0) throw notFound('project', projectId);
    const findings = await consistencyRepository.byStories(this.db.read, stories.map((s) => s.id));
    return buildBoard(projectId, findings.size === 0 ? stories : stories.map((s) => ({ ...s, findings: findings.get(s.id) ?? [] })));
  }
}
