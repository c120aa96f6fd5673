import {
  DAY_MS,
  FLOW_MAX_BUCKETS,
  WEEK_MS,
  type FlowQuery,
  type FlowResponse,
  type FlowSourcesQuery,
  type FlowSourcesResponse,
} from '../../../contracts/index.js';
import type { Clock } from '../../clock.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { notFound } from '../../http/errors.js';
import { projectsRepository } from '../projects/index.js';
import type { storiesRepository } from '../stories/index.js';
import { computeFlow, flowSources } from './flow.js';
import { dayBuckets, weekBuckets } from './flow-buckets.js';
import { statusTransitionsRepository, toStatusChange } from './status-transitions.repository.js';

const DEFAULT_SPAN_DAYS = 90;
const SOURCES_LIMIT = 500;
const STORY_LIMIT = 20_000;

/** A project's cumulative flow, burndown per epic and throughput, from its stories' status history. */
/** Where the flow reads a project's stories from: handed in, because the stories module reads this one's history. */
export type StoryLister = Pick<typeof storiesRepository, 'byProject'>;

export class FlowService {
  constructor(
    private readonly db: DatabaseHandle,
    private readonly clock: Clock,
    private readonly stories: StoryLister,
  ) {}

  private async project(id: string): Promise<void> {
    if (!(await projectsRepository.findById(this.db.read, id, this.clock.now().toISOString()))) throw notFound('project', id);
  }

  private async epicOf(projectId: string): Promise<Map<string, string | null>> {
    const stories = await this.stories.byProject(this.db.read, projectId, STORY_LIMIT);
    return new Map(stories.map((s) => [s.id, s.epic]));
  }

  async flow(projectId: string, q: FlowQuery): Promise<FlowResponse> {
    await this.project(projectId);
    const { first, last } = await statusTransitionsRepository.firstAndLast(this.db.read, projectId);
    const end = q.end ? Date.parse(q.end) : this.clock.now().getTime();
    const unit = q.bucket === 'week' ? WEEK_MS : DAY_MS;
    let start = q.start ? Date.parse(q.start) : first !== null ? Math.min(Date.parse(first), end - unit) : end - DEFAULT_SPAN_DAYS * DAY_MS;
    // A default range never asks for more buckets than a chart can take: it keeps the most recent ones.
    if (!q.start && (end - start) / unit > FLOW_MAX_BUCKETS - 2) start = end - (FLOW_MAX_BUCKETS - 2) * unit;
    const buckets = q.bucket === 'week' ? weekBuckets(q.tz, start, end) : dayBuckets(q.tz, start, end);
    const [transitions, epicOf] = await Promise.all([
      statusTransitionsRepository.storyTransitionsOfProject(this.db.read, projectId, new Date(end).toISOString()),
      this.epicOf(projectId),
    ]);
    return {
      projectId,
      bucket: q.bucket,
      tz: q.tz,
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
      firstTransitionAt: first,
      lastTransitionAt: last,
      ...computeFlow({ transitions, epicOf, buckets, weeks: weekBuckets(q.tz, start, end) }),
    };
  }

  async sources(projectId: string, q: FlowSourcesQuery): Promise<FlowSourcesResponse> {
    await this.project(projectId);
    const end = Date.parse(q.end);
    const [transitions, stories] = await Promise.all([
      statusTransitionsRepository.storyTransitionsOfProject(this.db.read, projectId, new Date(end).toISOString()),
      this.stories.byProject(this.db.read, projectId, STORY_LIMIT),
    ]);
    const epicOf = new Map(stories.map((s) => [s.id, s.epic]));
    const titleOf = new Map(stories.map((s) => [s.id, s.title]));
    const rows = flowSources(transitions, epicOf, { kind: q.kind, start: Date.parse(q.start), end, column: q.column, epic: q.epic });
    return {
      total: rows.length,
      items: rows.slice(0, SOURCES_LIMIT).map((r) => ({ ...toStatusChange(r), storyId: r.entity_id, storyTitle: titleOf.get(r.entity_id) ?? null })),
    };
  }
}
