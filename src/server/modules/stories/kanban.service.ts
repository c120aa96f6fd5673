import { STATUS_MODEL, type KanbanBoard, type Page, type Status, type StoriesQuery, type Story } from '../../../contracts/index.js';
import type { Clock } from '../../clock.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { notFound } from '../../http/errors.js';
import { projectsRepository } from '../projects/projects.repository.js';
import { storiesRepository } from './stories.repository.js';

export const BOARD_CARD_LIMIT = 5000;

/**
 * Columns in status-model order. A custom column (an upstream board's own, e.g. "review") sits right after the
 * column of its cards' canonical status, so the board still reads left to right as the lifecycle does.
 */
export function buildBoard(projectId: string, stories: readonly Story[]): KanbanBoard {
  const order = STATUS_MODEL.story.statuses;
  const columns = new Map<string, { key: string; status: Status | null; cards: Story[]; rank: number }>();
  order.forEach((s, i) => columns.set(s, { key: s, status: s, cards: [], rank: i * 2 }));
  for (const story of stories) {
    const key = story.kanbanColumn ?? story.status ?? 'unknown';
    let col = columns.get(key);
    if (!col) {
      const base = story.status ? order.indexOf(story.status) : order.length;
      col = { key, status: null, cards: [], rank: base * 2 + 1 };
      columns.set(key, col);
    }
    col.cards.push(story);
  }
  const sorted = [...columns.values()].sort((a, b) => a.rank - b.rank || a.key.localeCompare(b.key));
  return { projectId, columns: sorted.map((c) => ({ key: c.key, status: c.status, count: c.cards.length, cards: c.cards })) };
}

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
    return buildBoard(projectId, stories);
  }
}
