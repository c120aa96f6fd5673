import type {
  KpiCatalogue,
  KpiKey,
  LineageEvent,
  LineageResponse,
  Outlier,
  OutliersQuery,
  OutliersResponse,
  TrendSeries,
  TrendsQuery,
  TrendsResponse,
} from '../../../contracts/index.js';
import type { DatabaseHandle, Executor } from '../../db/handle.js';
import { notFound, validationFailed } from '../../http/errors.js';
import { costsRepository } from '../costs/index.js';
import { documentsRepository } from '../documents/index.js';
import { eventsRepository } from '../events/index.js';
import { projectsRepository } from '../projects/index.js';
import { storiesRepository } from '../stories/index.js';
import { workflowSessionsRepository } from '../workflows/index.js';
import { workflowsRepository } from '../workflows/index.js';
import { analyticsRepository as repo, type Granularity, type MetricRow } from './analytics.repository.js';
import type { SeriesRow } from './agent-metrics.repository.js';
import { bucketStarts } from './buckets.js';
import { INTERNAL_SERIES, KPI_BY_KEY, kpiCatalogue } from './kpi-catalogue.js';
import type { OutlierSettings } from './outlier-settings.js';
import { ROLLUP_CHECKPOINT } from './rollup.job.js';

/** Points one trends answer may hold (series × buckets): beyond it the client must narrow the query. */
const MAX_TREND_POINTS = 200_000;
const MAX_DEFAULT_AGENTS = 50;

type EventRow = Awaited<ReturnType<typeof eventsRepository.lineageRowsByIds>>[number];

export class AnalyticsService {
  constructor(
    private readonly db: DatabaseHandle,
    private readonly outlierSettings: OutlierSettings,
    /** Names the credentials events were sent with (`key:<id>` → the key's name), from the auth module. */
    private readonly senderNames: (sentBy: readonly string[]) => Promise<Map<string, string>> = async () => new Map(),
  ) {}

  catalogue(): KpiCatalogue {
    return kpiCatalogue(this.outlierSettings);
  }

  async trends(q: TrendsQuery): Promise<TrendsResponse> {
    const g: Granularity = q.bucket;
    const buckets = bucketStarts(q.start, q.end, g);
    const rows = await repo.seriesRows(this.db.read, { agentIds: q.agentIds ?? null, kpis: q.kpis, granularity: g, start: q.start, end: q.end });
    const series = new Map<string, { agentId: string; kpi: KpiKey; unit: string; byStart: Map<string, SeriesRow> }>();
    const agents = new Set<string>(q.agentIds ?? []);
    for (const r of rows) {
      if (!q.agentIds && !agents.has(r.agent_id) && agents.size >= MAX_DEFAULT_AGENTS) continue;
      agents.add(r.agent_id);
      const id = `${r.agent_id}\n${r.kpi_key}\n${r.unit}`;
      let s = series.get(id);
      if (!s) series.set(id, (s = { agentId: r.agent_id, kpi: r.kpi_key as KpiKey, unit: r.unit, byStart: new Map() }));
      s.byStart.set(r.window_start_utc, r);
    }
    // An agent asked for by name gets its fixed-unit series even when empty: "no data" is an answer too.
    for (const agentId of q.agentIds ?? []) {
      for (const kpi of q.kpis) {
        const unit = KPI_BY_KEY.get(kpi)!.unit;
        if (unit === 'currency') continue;
        const id = `${agentId}\n${kpi}\n${unit}`;
        if (!series.has(id)) series.set(id, { agentId, kpi, unit, byStart: new Map() });
      }
    }
    if (series.size * buckets.length > MAX_TREND_POINTS) {
      throw validationFailed([
        {
          path: 'bucket',
          message: `would return ${series.size * buckets.length} points (at most ${MAX_TREND_POINTS}); choose fewer agents or KPIs, a shorter range or day buckets`,
        },
      ]);
    }
    const out: TrendSeries[] = [...series.values()]
      .sort((a, b) => a.agentId.localeCompare(b.agentId) || q.kpis.indexOf(a.kpi) - q.kpis.indexOf(b.kpi) || a.unit.localeCompare(b.unit))
      .map((s) => ({
        agentId: s.agentId,
        kpi: s.kpi,
        unit: s.unit,
        points: buckets.map((b) => {
          const r = s.byStart.get(b.start);
          return { start: b.start, end: b.end, value: r?.kpi_value ?? null, lineageRef: r && r.kpi_value !== null ? r.lineage_ref : null };
        }),
      }));
    const [cp, head] = await Promise.all([repo.checkpoint(this.db.read, ROLLUP_CHECKPOINT), eventsRepository.headEventId(this.db.read)]);
    return {
      bucket: g,
      start: buckets[0]?.start ?? q.start,
      end: buckets[buckets.length - 1]?.end ?? q.end,
      series: out,
      rollup: { throughEventId: cp.lastEventId, headEventId: head, lagEvents: Math.max(0, head - cp.lastEventId) },
    };
  }

  async outliers(q: OutliersQuery): Promise<OutliersResponse> {
    const rows = await repo.outliers(this.db.read, { agentIds: q.agentIds ?? null, kpi: q.kpi ?? null, start: q.start, end: q.end, limit: q.limit });
    return {
      items: rows.map((r): Outlier => {
        const kpi = KPI_BY_KEY.get(r.kpi_key as KpiKey)!;
        const value = r.kpi_value ?? 0;
        const side = r.score >= 0 ? 'above' : 'below';
        const worse = (side === 'above') === (kpi.direction === 'lower_is_better');
        const fmt = (v: number) => formatValue(v, r.unit);
        const against = r.method === 'peer_mad' ? `the ${r.baseline_size} agents with a value that day` : `this agent's previous ${r.baseline_size} days`;
        const spread = r.baseline_mad > 0 ? `MAD ${fmt(r.baseline_mad)}` : 'MAD 0, so the scaled mean absolute deviation was used';
        return {
          id: Number(r.id),
          agentId: r.agent_id,
          kpi: kpi.id,
          unit: r.unit,
          windowStart: r.window_start_utc,
          windowEnd: r.window_end_utc,
          value,
          method: r.method as Outlier['method'],
          score: round(r.score, 2),
          threshold: r.threshold,
          baselineMedian: r.baseline_median,
          baselineMad: r.baseline_mad,
          baselineSize: Number(r.baseline_size),
          side,
          worse,
          why: `${kpi.name} ${fmt(value)} is ${side} the median ${fmt(r.baseline_median)} of ${against} (${spread}): modified z ${round(r.score, 1)}, beyond ±${r.threshold}${worse ? ` — worse, ${kpi.direction.replaceAll('_', ' ')}` : ''}.`,
          flaggedAt: r.flagged_at_utc,
          lineageRef: r.lineage_ref,
        };
      }),
    };
  }

  /** The newest figures of a KPI with their lineage refs (newest window first). */
  recentFigures(kpi: KpiKey, limit: number): Promise<{ ref: string; value: number | null }[]> {
    return repo.recentMetrics(this.db.read, kpi, limit);
  }

  async lineage(ref: string, page: { limit: number; after?: number | undefined }): Promise<LineageResponse> {
    const contributions = new Map<number, number | null>();
    let metric: LineageResponse['metric'] = null;
    if (ref.startsWith('event:')) {
      const id = Number(ref.slice('event:'.length));
      if (!Number.isSafeInteger(id)) throw notFound('lineage', ref);
      contributions.set(id, null);
    } else {
      const m = await repo.metricByLineage(this.db.read, ref);
      if (!m) throw notFound('lineage', ref);
      metric = {
        agentId: m.agent_id,
        kpi: m.kpi_key as KpiKey,
        unit: m.unit,
        granularity: m.granularity as Granularity,
        windowStart: m.window_start_utc,
        windowEnd: m.window_end_utc,
        value: m.kpi_value,
      };
      await this.collectSources(m, contributions);
    }
    const ids = [...contributions.keys()].sort((a, b) => a - b);
    const pageIds = ids.filter((id) => page.after === undefined || id > page.after).slice(0, page.limit);
    const rows = await eventsRepository.lineageRowsByIds(this.db.read, pageIds);
    if (metric === null && rows.length === 0) throw notFound('lineage', ref);
    // Ids whose events are gone were pruned by retention (events are never deleted otherwise).
    const present = (xs: (string | null)[]) => [...new Set(xs.filter((x): x is string => x !== null))];
    const storyIds = present(rows.map(storyOf));
    const shownAs = await workflowSessionsRepository.shownAs(this.db.read, present(rows.map(workflowOf)));
    const workflowIds = present(rows.map(workflowOf).map((id) => (id ? (shownAs.get(id) ?? id) : null)));
    const [docs, names] = await Promise.all([
      documentsRepository.liveOfStories(this.db.read, storyIds),
      displayNames(this.db.read, { workflows: workflowIds, stories: storyIds, projects: present(rows.map((r) => r.project_id)) }),
    ]);
    const senders = await this.senderNames(present(rows.map((r) => r.sent_by)));
    const events = rows.map((r) => ({
      ...toLineageEvent(r, contributions.get(Number(r.id)) ?? null, docs, names, shownAs),
      sentByName: r.sent_by ? (senders.get(r.sent_by) ?? null) : null,
    }));
    const last = pageIds[pageIds.length - 1];
    return {
      lineageRef: ref,
      metric,
      total: ids.length,
      events,
      prunedEvents: pageIds.length - rows.length,
      nextAfter: last !== undefined && last !== ids[ids.length - 1] ? last : null,
    };
  }

  /** The events a metric row was computed from, with what each contributed (the rollup's own rules, read back). */
  private async collectSources(m: MetricRow, out: Map<number, number | null>): Promise<void> {
    const db = this.db.read;
    // Cost rows the rollup has not read yet are not part of any figure.
    const through = (await repo.checkpoint(db, ROLLUP_CHECKPOINT)).lastEventId;
    const addFacts = async (kpi: string) => {
      for (const f of await repo.factsIn(db, m.agent_id, kpi, m.window_start_utc, m.window_end_utc)) {
        f.eventIds.forEach((id, i) => {
          const contribution = i === f.eventIds.length - 1 ? (f.sample ?? f.num) : null;
          out.set(id, out.get(id) ?? contribution);
        });
      }
    };
    const addCosts = async (currency: string | null) => {
      for (const c of await costsRepository.sourcesOfAgent(db, m.agent_id, m.window_start_utc, m.window_end_utc, currency, through)) {
        if (currency === null && c.tokens === null) continue;
        out.set(c.eventId, currency === null ? c.tokens : c.amount);
      }
    };
    switch (m.kpi_key) {
      case 'cost':
        return addCosts(m.unit);
      case 'cost_per_completed_story':
        await addCosts(m.unit);
        return addFacts(INTERNAL_SERIES.storiesCompleted);
      case 'tokens_per_completed_story':
        await addCosts(null);
        return addFacts(INTERNAL_SERIES.storiesCompleted);
      default:
        return addFacts(m.kpi_key);
    }
  }
}

function storyOf(r: EventRow): string | null {
  return r.entity_type === 'story' ? r.entity_id : r.story_id;
}

function workflowOf(r: EventRow): string | null {
  return r.entity_type === 'workflow' ? r.entity_id : r.workflow_id;
}

function toLineageEvent(
  r: EventRow,
  contribution: number | null,
  docs: readonly { id: string; storyId: string; title: string }[],
  names: ReadonlyMap<string, string>,
  shownAs: ReadonlyMap<string, string>,
): LineageEvent {
  const payload = JSON.parse(r.payload_json) as Record<string, unknown>;
  const own = workflowOf(r);
  // A Claude Code session's run is shown as the run BMAD's files show for the same work, when there is one.
  const workflowId = own ? (shownAs.get(own) ?? own) : null;
  const storyId = storyOf(r);
  const links: LineageEvent['links'] = [];
  if (workflowId)
    links.push({
      kind: 'workflow',
      id: workflowId,
      label: names.get(`workflow:${workflowId}`) ?? (own !== workflowId || workflowId.includes(':wf:session:') ? 'a Claude Code session' : workflowId),
      href: `/workflows/${encodeURIComponent(workflowId)}`,
    });
  if (storyId) links.push({ kind: 'story', id: storyId, label: names.get(`story:${storyId}`) ?? storyId, href: `/stories/${encodeURIComponent(storyId)}` });
  if (r.project_id)
    links.push({
      kind: 'project',
      id: r.project_id,
      label: names.get(`project:${r.project_id}`) ?? r.project_id,
      href: `/projects/${encodeURIComponent(r.project_id)}`,
    });
  for (const d of docs) if (d.storyId === storyId) links.push({ kind: 'document', id: d.id, label: d.title, href: `/documents/${encodeURIComponent(d.id)}` });
  return {
    eventId: Number(r.id),
    type: r.event_type as LineageEvent['type'],
    entityType: r.entity_type,
    entityId: r.entity_id,
    occurredAt: r.occurred_at_utc,
    source: r.source_system,
    sentBy: r.sent_by,
    sentByName: null,
    projectId: r.project_id,
    storyId,
    workflowId,
    contribution,
    summary: summarize(r.event_type, payload, workflowId ? names.get(`workflow:${workflowId}`) : undefined),
    commit: commitOf(payload),
    // domain_events keeps no trace id yet (it needs a column of its own): null until it does.
    traceId: r.trace_id ?? null,
    links,
  };
}

/** The git commit an event was read from, when it was (the connector's history). */
function commitOf(p: Record<string, unknown>): { hash: string; subject: string | null } | null {
  const c = p.commit as { hash?: unknown; subject?: unknown } | null | undefined;
  return c && typeof c.hash === 'string' ? { hash: c.hash, subject: typeof c.subject === 'string' ? c.subject : null } : null;
}

function summarize(type: string, p: Record<string, unknown>, workflowName?: string): string {
  const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : null);
  switch (type) {
    case 'workflow.transitioned':
    case 'story.status_changed': {
      const commit = p.commit as { hash?: string; subject?: string | null } | null | undefined;
      const seen = commit?.hash ? `, commit ${commit.hash.slice(0, 7)}${commit.subject ? ` "${commit.subject}"` : ''}` : '';
      return `${workflowName ? `${workflowName}: ` : ''}${str(p.from) ?? '(first report)'} → ${str(p.to)}${str(p.reason) ? ` (${str(p.reason)})` : ''}${seen}`;
    }
    case 'workflow.upserted':
      return `${str(p.name) ?? 'workflow'} reported ${str(p.status)}`;
    case 'story.upserted':
      return `${str(p.title) ?? 'story'} reported ${str(p.status)}${str(p.kanbanColumn) ? ` (${str(p.kanbanColumn)})` : ''}`;
    case 'cost.recorded': {
      const tokens = p.tokens as Record<string, number | null> | null | undefined;
      const count = tokens ? Object.values(tokens).reduce<number>((s, v) => s + (v ?? 0), 0) : null;
      const amount = typeof p.amount === 'number' ? `${p.amount} ${str(p.currency) ?? ''}`.trim() : 'priced from tokens';
      return `${amount}${count !== null ? `, ${count} tokens` : ''}${str(p.model) ? ` (${str(p.model)})` : ''}`;
    }
    default:
      return type;
  }
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function formatValue(v: number, unit: string): string {
  if (unit === 'ratio') return `${round(v * 100, 1)} %`;
  if (unit === 'hours') return `${round(v, 2)} h`;
  if (/^[A-Z]{3}$/.test(unit)) return `${round(v, 4)} ${unit}`;
  return `${round(v, 2)}${unit === 'count' ? '' : ` ${unit}`}`;
}

/** Display names of the workflows, stories and projects lineage links point to, keyed `workflow:<id>` and so on. */
async function displayNames(
  db: Executor,
  ids: { workflows: readonly string[]; stories: readonly string[]; projects: readonly string[] },
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [id, name] of await workflowsRepository.namesOf(db, ids.workflows)) out.set(`workflow:${id}`, name);
  for (const [id, title] of await storiesRepository.titlesOf(db, ids.stories)) out.set(`story:${id}`, title);
  for (const [id, name] of await projectsRepository.namesOf(db, ids.projects)) out.set(`project:${id}`, name);
  return out;
}
