import {
  costSummaryQuerySchema,
  costTimeseriesQuerySchema,
  type CostTotal,
  DAY_MS,
  projectsQuerySchema,
  storiesQuerySchema,
} from '../../../../contracts/index.js';
import type { AnalyticsService } from '../../analytics/index.js';
import type { CostsService } from '../../costs/index.js';
import type { ProjectsService } from '../../projects/index.js';
import type { StoriesService } from '../../stories/index.js';
import type { RowFinding } from './rebuild.js';

/** The services whose answers the UI shows side by side: the checks call exactly what the pages call. */
export interface CrossViewServices {
  stories: StoriesService;
  projects: ProjectsService;
  costs: CostsService;
  analytics: AnalyticsService;
}

const near = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));

function finding(projectId: string | null, entity: string, field: string, actual: string | number, expected: string | number, message: string): RowFinding {
  return {
    kind: 'cross_view_mismatch',
    projectId,
    storyId: null,
    file: null,
    line: null,
    entity,
    field,
    actual: String(actual).slice(0, 64),
    expected: String(expected).slice(0, 64),
    message,
  };
}

const byCurrency = (totals: readonly CostTotal[]) => new Map(totals.map((t) => [t.currency, t.amount]));

/**
 * The invariants the pages rely on: Kanban column counts = the story list = the project's done count; the cost summary
 * = the sum of its breakdown = the sum of the daily buckets; an analytics figure = the sum of its lineage.
 */
export async function crossViewFindings(s: CrossViewServices, now: Date): Promise<RowFinding[]> {
  const out: RowFinding[] = [];
  const projects = (await s.projects.list(projectsQuerySchema.parse({ pageSize: '200' }))).items;
  for (const p of projects) {
    const board = await s.stories.board(p.id);
    const onBoard = board.columns.reduce((n, c) => n + c.count, 0);
    const listed = (await s.stories.list(storiesQuerySchema.parse({ projectId: p.id, pageSize: '1' }))).total;
    if (onBoard !== listed)
      out.push(finding(p.id, `project ${p.name}`, 'stories', onBoard, listed, `${p.name}: the board counts ${onBoard} stories, the story list ${listed}`));
    const doneOnBoard = board.columns.filter((c) => c.status === 'done').reduce((n, c) => n + c.count, 0);
    if (p.doneStories !== undefined && p.doneStories !== doneOnBoard) {
      out.push(
        finding(
          p.id,
          `project ${p.name}`,
          'doneStories',
          p.doneStories,
          doneOnBoard,
          `${p.name}: the project says ${p.doneStories} stories done, its board's done columns hold ${doneOnBoard}`,
        ),
      );
    }
  }

  const end = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS + DAY_MS);
  const start = new Date(end.getTime() - 30 * DAY_MS);
  const range = { start: start.toISOString(), end: end.toISOString() };
  // By agent: read from the detailed hourly rollup, while the daily chart reads the per-project daily one.
  const summary = await s.costs.summary(costSummaryQuerySchema.parse({ window: 'custom', ...range, groupBy: 'agent' }));
  const series = await s.costs.timeseries(costTimeseriesQuerySchema.parse({ bucket: 'day', ...range }));
  const totals = byCurrency(summary.totals);
  const fromBreakdown = new Map<string, number>();
  for (const b of summary.breakdown) for (const t of b.totals) fromBreakdown.set(t.currency, (fromBreakdown.get(t.currency) ?? 0) + t.amount);
  const fromBuckets = new Map(series.series.map((x) => [x.currency, x.buckets.reduce((n, b) => n + (b.status === 'available' ? b.amount : 0), 0)]));
  for (const currency of new Set([...totals.keys(), ...fromBreakdown.keys()])) {
    const total = totals.get(currency) ?? 0;
    const parts = fromBreakdown.get(currency) ?? 0;
    if (!near(total, parts))
      out.push(
        finding(
          null,
          `cost summary ${currency}`,
          'breakdown',
          total,
          parts,
          `Costs, last 30 days: the total is ${currency} ${total.toFixed(4)}, its breakdown by agent sums to ${parts.toFixed(4)}`,
        ),
      );
    const buckets = fromBuckets.get(currency);
    if (buckets !== undefined && !near(total, buckets))
      out.push(
        finding(
          null,
          `cost summary ${currency}`,
          'buckets',
          total,
          buckets,
          `Costs, last 30 days: the total is ${currency} ${total.toFixed(4)}, the daily chart sums to ${buckets.toFixed(4)}`,
        ),
      );
  }

  for (const m of await s.analytics.recentFigures('cost', 20)) {
    if (m.value === null) continue;
    const lineage = await s.analytics.lineage(m.ref, { limit: 1000 });
    if (lineage.nextAfter !== null || lineage.prunedEvents > 0 || lineage.metric?.kpi !== 'cost') continue;
    const sum = lineage.events.reduce((n, e) => n + (e.contribution ?? 0), 0);
    if (!near(sum, m.value))
      out.push(
        finding(
          null,
          `agent ${lineage.metric.agentId} ${lineage.metric.kpi} ${lineage.metric.windowStart}`,
          'value',
          m.value,
          sum,
          `Analytics: ${lineage.metric.agentId}'s ${lineage.metric.kpi} is ${m.value} but its source events add up to ${sum}`,
        ),
      );
  }
  return out;
}
