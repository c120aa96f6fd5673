import { buildBoard, type CostShare, type KanbanBoard, type Page, type StoriesQuery, type Story, type StoryDetail } from '../../../contracts/index.js';
import type { Clock } from '../../clock.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { notFound } from '../../http/errors.js';
import type { SerializedJson } from '../../http/serialized-json.js';
import { VersionedCache } from '../../versioned-cache.js';
import type { CostShareSum, costSumsRepository } from '../costs/index.js';
import { documentsRepository } from '../documents/index.js';
import { projectsRepository } from '../projects/index.js';
import { consistencyRepository } from '../consistency/index.js';
import { withCostAndSessions } from '../workflows/index.js';
import { workflowsRepository } from '../workflows/index.js';
import { statusTransitionsRepository } from '../history/index.js';
import { costToDate, withCosts } from './cost-to-date.js';
import { BoardBodies } from './board-body.js';
import { BoardStories } from './board-stories.js';
import { storiesRepository } from './stories.repository.js';

export const BOARD_CARD_LIMIT = 5000;
/** How many workflow runs and documents the story page lists; `truncated` says when there were more. */
export const STORY_DETAIL_LIMIT = 200;
/** How many status changes the story page shows (the newest; `truncated.history` says when there were more). */
export const STORY_HISTORY_LIMIT = 500;

/** Per agent and model, the biggest known amount first (currencies are not comparable: the first one decides). */
function sharesOf(rows: readonly CostShareSum[]): CostShare[] {
  const groups = new Map<string, CostShareSum[]>();
  for (const r of rows) groups.set(r.key, [...(groups.get(r.key) ?? []), r]);
  return [...groups.values()]
    .map((g) => ({ agentId: g[0]!.agentId, model: g[0]!.model, ...costToDate(g) }))
    .sort(
      (a, b) =>
        (b.totals[0]?.amount ?? -1) - (a.totals[0]?.amount ?? -1) ||
        (a.agentId ?? '\uffff').localeCompare(b.agentId ?? '\uffff') ||
        (a.model ?? '').localeCompare(b.model ?? ''),
    )
    .map(({ agentId, model, totals, unpricedEvents }) => ({ agentId, model, totals, unpricedEvents }));
}

/** Boards kept serialized: fewer than the projects whose stories are kept, as a 2,000-card board is a megabyte. */
const CACHED_BODIES = 8;

/** Where stories get their cost to date: handed in, because the costs module reads this one's stories. */
export type StoryCosts = Pick<typeof costSumsRepository, 'byStories' | 'sharesOfStory'>;

export class StoriesService {
  private readonly boardStories: BoardStories;
  private readonly boardBodies: VersionedCache<SerializedJson, number>;
  private readonly cardJson: BoardBodies;

  /**
   * `cache: false` reads every board from the tables (the consistency monitor checks tables, not memory).
   * `boardStories` is shared with the project context, which shows the same stories.
   */
  constructor(
    private readonly db: DatabaseHandle,
    private readonly clock: Clock,
    private readonly costs: StoryCosts,
    opts: { cache?: boolean | undefined; boardStories?: BoardStories } = {},
  ) {
    this.boardStories = opts.boardStories ?? new BoardStories({ limit: BOARD_CARD_LIMIT, cache: opts.cache });
    this.boardBodies = new VersionedCache(CACHED_BODIES, opts.cache !== false);
    this.cardJson = new BoardBodies(opts.cache !== false);
  }

  async list(q: StoriesQuery): Promise<Page<Story>> {
    const { page, pageSize, ...filter } = q;
    const { items, total } = await storiesRepository.list(this.db.read, filter, page, pageSize);
    const costs = await this.costs.byStories(
      this.db.read,
      items.map((s) => s.id),
    );
    return { items: withCosts(items, costs), page, pageSize, total };
  }

  async board(projectId: string): Promise<KanbanBoard> {
    const { stories, costRows, findings } = await this.boardParts(projectId);
    const cards = withCosts(stories, costRows);
    return buildBoard(projectId, findings.size === 0 ? cards : cards.map((s) => ({ ...s, findings: findings.get(s.id) ?? [] })));
  }

  /**
   * The board as the API sends it, serialized once and reused while nothing at all has been written to the database
   * (db.dataVersion(), read before the board): any commit, of a story, a cost or a finding alike, makes the next read
   * build it again, from the cards' kept JSON where they did not change (BoardBodies). Where the backend cannot tell
   * (Postgres) it is built every time.
   */
  async boardBody(projectId: string): Promise<SerializedJson> {
    const version = await this.db.dataVersion();
    const build = async () => {
      const { stories, costRows, findings } = await this.boardParts(projectId);
      return this.cardJson.body(projectId, stories, costRows, findings);
    };
    return version === null ? build() : this.boardBodies.get(projectId, version, build);
  }

  private async boardParts(projectId: string) {
    const [project, stories] = await Promise.all([
      projectsRepository.findById(this.db.read, projectId, this.clock.now().toISOString()),
      this.boardStories.of(this.db.read, projectId),
    ]);
    if (!project && stories.length === 0) throw notFound('project', projectId);
    const ids = stories.map((s) => s.id);
    // Every card's cost and findings by id lists (a few chunked reads for a whole board), not one query per card.
    const [costRows, findings] = await Promise.all([this.costs.byStories(this.db.read, ids), consistencyRepository.byStories(this.db.read, ids)]);
    return { stories, costRows, findings };
  }

  /** A story with what ties to it: its workflow runs, its documents, its cost by agent and model, its findings. */
  async detail(id: string): Promise<StoryDetail> {
    const story = await storiesRepository.findById(this.db.read, id);
    if (!story) throw notFound('story', id);
    const [workflows, documents, costs, shares, findings, history] = await Promise.all([
      workflowsRepository
        .list(this.db.read, { storyId: id }, 1, STORY_DETAIL_LIMIT + 1, storiesRepository)
        .then((r) => withCostAndSessions(this.db.read, r.items)),
      documentsRepository.list(this.db.read, { storyId: id }, 1, STORY_DETAIL_LIMIT + 1).then((r) => r.items),
      this.costs.byStories(this.db.read, [id]),
      this.costs.sharesOfStory(this.db.read, id),
      consistencyRepository.byStories(this.db.read, [id]),
      statusTransitionsRepository.forEntity(this.db.read, 'story', id, STORY_HISTORY_LIMIT),
    ]);
    return {
      story: { ...withCosts([story], costs)[0]!, findings: findings.get(id) ?? [] },
      workflows: workflows.slice(0, STORY_DETAIL_LIMIT),
      documents: documents.slice(0, STORY_DETAIL_LIMIT),
      costByAgentModel: sharesOf(shares),
      history: history.items,
      truncated: { workflows: workflows.length > STORY_DETAIL_LIMIT, documents: documents.length > STORY_DETAIL_LIMIT, history: history.truncated },
    };
  }
}
