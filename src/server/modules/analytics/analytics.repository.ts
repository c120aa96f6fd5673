import { sql, type Selectable } from 'kysely';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import type { AgentMetricsTable } from '../../db/schema.js';
import type { Fact, HistoryEntry } from './facts/fact.js';

export type MetricRow = Selectable<AgentMetricsTable>;
export type Granularity = 'hour' | 'day';

export interface MetricKey {
  agentId: string;
  kpi: string;
  unit: string;
  granularity: Granularity;
  windowStart: string;
}

export interface NewMetric extends MetricKey {
  windowEnd: string;
  value: number | null;
  num: number;
  den: number | null;
  lineageRef: string;
}

export interface RollupEvent {
  id: number;
  type: string;
  entityType: string;
  entityId: string;
  storyId: string | null;
  workflowId: string | null;
  occurredAt: string;
  ingestedAt: string;
}

export interface CostRow {
  sourceEventId: number;
  agentId: string | null;
  currency: string | null;
  amount: number | null;
  tokens: number | null;
  occurredAt: string;
}

const HISTORY_TYPES = {
  workflow: ['workflow.upserted', 'workflow.transitioned'],
  story: ['story.upserted', 'story.status_changed'],
} as const;

const tokensExpr = sql<number | null>`(case when input_tokens is null and output_tokens is null and cache_write_tokens is null and cache_read_tokens is null then null else coalesce(input_tokens, 0) + coalesce(output_tokens, 0) + coalesce(cache_write_tokens, 0) + coalesce(cache_read_tokens, 0) end)`;

export const analyticsRepository = {
  async checkpoint(db: Executor, name: string): Promise<{ lastEventId: number; value: string | null }> {
    const row = await db.selectFrom('rollup_checkpoints').select(['last_event_id', 'value']).where('name', '=', name).executeTakeFirst();
    return { lastEventId: Number(row?.last_event_id ?? 0), value: row?.value ?? null };
  },

  /** Forgets every rolled-up figure and the checkpoint: the rollup job recomputes all of it from domain_events. */
  async reset(db: Executor): Promise<void> {
    await db.deleteFrom('agent_outliers').execute();
    await db.deleteFrom('agent_metrics').execute();
    await db.deleteFrom('agent_metric_facts').execute();
    await db.deleteFrom('rollup_checkpoints').where('name', 'in', ['agent-metrics', 'agent-outliers-pending']).execute();
  },

  async saveCheckpoint(db: Executor, name: string, lastEventId: number, value: string | null, now: string): Promise<void> {
    await db
      .insertInto('rollup_checkpoints')
      .values({ name, last_event_id: lastEventId, value, updated_at_utc: now })
      .onConflict((oc) => oc.column('name').doUpdateSet({ last_event_id: lastEventId, value, updated_at_utc: now }))
      .execute();
  },

  async eventsAfter(db: Executor, after: number, limit: number): Promise<RollupEvent[]> {
    const rows = await db
      .selectFrom('domain_events')
      .select(['id', 'event_type', 'entity_type', 'entity_id', 'story_id', 'workflow_id', 'occurred_at_utc', 'ingested_at_utc'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      type: r.event_type,
      entityType: r.entity_type,
      entityId: r.entity_id,
      storyId: r.story_id,
      workflowId: r.workflow_id,
      occurredAt: r.occurred_at_utc,
      ingestedAt: r.ingested_at_utc,
    }));
  },

  async costRows(db: Executor, sourceEventIds: readonly number[]): Promise<CostRow[]> {
    const out: CostRow[] = [];
    for (const part of chunks(sourceEventIds)) {
      const rows = await db
        .selectFrom('cost_events')
        .select(['source_event_id', 'agent_id', 'currency', 'cost_amount', 'occurred_at_utc', tokensExpr.as('tokens')])
        .where('source_event_id', 'in', part)
        .execute();
      for (const r of rows) out.push({ sourceEventId: Number(r.source_event_id), agentId: r.agent_id, currency: r.currency, amount: r.cost_amount, tokens: r.tokens, occurredAt: r.occurred_at_utc });
    }
    return out;
  },

  /** Every status-bearing event of these workflows or stories, with the status (and story column) it states. */
  async histories(db: Executor, entityType: 'workflow' | 'story', ids: readonly string[]): Promise<Map<string, HistoryEntry[]>> {
    const out = new Map<string, HistoryEntry[]>();
    for (const part of chunks(ids)) {
      const rows = await db
        .selectFrom('domain_events')
        .select(['id', 'entity_id', 'occurred_at_utc', 'payload_json'])
        .where('entity_type', '=', entityType)
        .where('entity_id', 'in', part)
        .where('event_type', 'in', [...HISTORY_TYPES[entityType]])
        .execute();
      for (const r of rows) {
        let list = out.get(r.entity_id);
        if (!list) out.set(r.entity_id, (list = []));
        // Upserts state `status` (stories also their column); transitions state `to`.
        const p = JSON.parse(r.payload_json) as { status?: string; to?: string; kanbanColumn?: string | null; column?: string | null };
        list.push({ eventId: Number(r.id), at: r.occurred_at_utc, status: p.status ?? p.to ?? '', column: p.kanbanColumn ?? p.column ?? null });
      }
    }
    return out;
  },

  async workflowLinks(db: Executor, ids: readonly string[]): Promise<Map<string, { agentId: string | null; storyId: string | null }>> {
    const out = new Map<string, { agentId: string | null; storyId: string | null }>();
    for (const part of chunks(ids)) {
      const rows = await db.selectFrom('workflows').select(['id', 'agent_id', 'story_id']).where('id', 'in', part).execute();
      for (const r of rows) out.set(r.id, { agentId: r.agent_id, storyId: r.story_id });
    }
    return out;
  },

  /** The agents that ran a workflow on each story. */
  async storyAgents(db: Executor, storyIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const part of chunks(storyIds)) {
      const rows = await db
        .selectFrom('workflows')
        .select(['story_id', 'agent_id'])
        .distinct()
        .where('story_id', 'in', part)
        .where('agent_id', 'is not', null)
        .execute();
      for (const r of rows) out.set(r.story_id!, [...(out.get(r.story_id!) ?? []), r.agent_id!].sort());
    }
    return out;
  },

  /** Removes the facts of these entities and says which agent/series/instant each was at (to recompute those buckets). */
  async takeFacts(db: Executor, entityType: string, ids: readonly string[]): Promise<{ agentId: string; kpi: string; at: string }[]> {
    const out: { agentId: string; kpi: string; at: string }[] = [];
    for (const part of chunks(ids)) {
      const rows = await db
        .selectFrom('agent_metric_facts')
        .select(['agent_id', 'kpi_key', 'occurred_at_utc'])
        .where('entity_type', '=', entityType)
        .where('entity_id', 'in', part)
        .execute();
      for (const r of rows) out.push({ agentId: r.agent_id, kpi: r.kpi_key, at: r.occurred_at_utc });
      await db.deleteFrom('agent_metric_facts').where('entity_type', '=', entityType).where('entity_id', 'in', part).execute();
    }
    return out;
  },

  async insertFacts(db: Executor, rows: readonly { entityType: string; entityId: string; agentId: string; fact: Fact }[]): Promise<void> {
    for (const part of chunks(rows)) {
      await db
        .insertInto('agent_metric_facts')
        .values(
          part.map((r) => ({
            entity_type: r.entityType,
            entity_id: r.entityId,
            agent_id: r.agentId,
            kpi_key: r.fact.kpi,
            occurred_at_utc: r.fact.at,
            num: r.fact.num,
            den: r.fact.den,
            sample: r.fact.sample,
            event_ids_json: JSON.stringify(r.fact.eventIds),
          })),
        )
        .execute();
    }
  },

  async factsIn(
    db: Executor,
    agentId: string,
    kpi: string,
    start: string,
    end: string,
  ): Promise<{ at: string; num: number; den: number | null; sample: number | null; eventIds: number[] }[]> {
    const rows = await db
      .selectFrom('agent_metric_facts')
      .select(['occurred_at_utc', 'num', 'den', 'sample', 'event_ids_json'])
      .where('agent_id', '=', agentId)
      .where('kpi_key', '=', kpi)
      .where('occurred_at_utc', '>=', start)
      .where('occurred_at_utc', '<', end)
      .execute();
    return rows.map((r) => ({ at: r.occurred_at_utc, num: r.num, den: r.den, sample: r.sample, eventIds: JSON.parse(r.event_ids_json) as number[] }));
  },

  /** Cost records of an agent in a window: the sources of its cost, token and per-story figures. */
  async costSources(
    db: Executor,
    agentId: string,
    start: string,
    end: string,
    currency: string | null,
    throughEventId: number,
  ): Promise<{ eventId: number; amount: number | null; tokens: number | null }[]> {
    let q = db
      .selectFrom('cost_events')
      .select(['source_event_id', 'cost_amount', tokensExpr.as('tokens')])
      .where('agent_id', '=', agentId)
      .where('source_event_id', '<=', throughEventId)
      .where('occurred_at_utc', '>=', start)
      .where('occurred_at_utc', '<', end);
    if (currency !== null) q = q.where('currency', '=', currency).where('cost_amount', 'is not', null);
    const rows = await q.execute();
    return rows.map((r) => ({ eventId: Number(r.source_event_id), amount: r.cost_amount, tokens: r.tokens }));
  },

  async upsertMetrics(db: Executor, rows: readonly NewMetric[], now: string): Promise<void> {
    for (const part of chunks(rows)) {
      await db
        .insertInto('agent_metrics')
        .values(part.map((m) => metricValues(m, now)))
        .onConflict((oc) =>
          oc.columns(['agent_id', 'kpi_key', 'unit', 'granularity', 'window_start_utc']).doUpdateSet((eb) => ({
            kpi_value: eb.ref('excluded.kpi_value'),
            num: eb.ref('excluded.num'),
            den: eb.ref('excluded.den'),
            updated_at_utc: eb.ref('excluded.updated_at_utc'),
          })),
        )
        .execute();
    }
  },

  /**
   * Adds to additive series (cost, tokens) without reading them back: the incremental path for the high-volume cost
   * records. The value of a sum is its numerator.
   */
  async addToMetrics(db: Executor, rows: readonly NewMetric[], now: string): Promise<void> {
    for (const part of chunks(rows)) {
      await db
        .insertInto('agent_metrics')
        .values(part.map((m) => metricValues(m, now)))
        .onConflict((oc) =>
          oc.columns(['agent_id', 'kpi_key', 'unit', 'granularity', 'window_start_utc']).doUpdateSet({
            num: sql`agent_metrics.num + excluded.num`,
            kpi_value: sql`case when excluded.kpi_value is null then agent_metrics.kpi_value else coalesce(agent_metrics.kpi_value, 0) + excluded.kpi_value end`,
            updated_at_utc: sql`excluded.updated_at_utc`,
          }),
        )
        .execute();
    }
  },

  async deleteMetrics(db: Executor, keys: readonly MetricKey[]): Promise<void> {
    for (const k of keys) {
      await db
        .deleteFrom('agent_metrics')
        .where('agent_id', '=', k.agentId)
        .where('kpi_key', '=', k.kpi)
        .where('unit', '=', k.unit)
        .where('granularity', '=', k.granularity)
        .where('window_start_utc', '=', k.windowStart)
        .execute();
    }
  },

  /** An agent's rows of the given series in windows starting in [from, to] (hours and days). */
  async agentRows(db: Executor, agentId: string, kpis: readonly string[], from: string, to: string): Promise<MetricRow[]> {
    return db
      .selectFrom('agent_metrics')
      .selectAll()
      .where('agent_id', '=', agentId)
      .where('window_start_utc', '>=', from)
      .where('window_start_utc', '<=', to)
      .where('kpi_key', 'in', [...kpis])
      .execute();
  },

  async peers(db: Executor, kpi: string, unit: string, granularity: Granularity, windowStart: string): Promise<MetricRow[]> {
    return db
      .selectFrom('agent_metrics')
      .selectAll()
      .where('kpi_key', '=', kpi)
      .where('unit', '=', unit)
      .where('granularity', '=', granularity)
      .where('window_start_utc', '=', windowStart)
      .execute();
  },

  /** Every agent's daily values of one series in [from, before). */
  async history(db: Executor, kpi: string, unit: string, from: string, before: string): Promise<MetricRow[]> {
    return db
      .selectFrom('agent_metrics')
      .selectAll()
      .where('kpi_key', '=', kpi)
      .where('unit', '=', unit)
      .where('granularity', '=', 'day')
      .where('window_start_utc', '>=', from)
      .where('window_start_utc', '<', before)
      .execute();
  },

  async dayRowsOf(db: Executor, windowStart: string, kpis: readonly string[]): Promise<MetricRow[]> {
    return db.selectFrom('agent_metrics').selectAll().where('granularity', '=', 'day').where('window_start_utc', '=', windowStart).where('kpi_key', 'in', [...kpis]).execute();
  },

  async replaceOutliers(
    db: Executor,
    method: string,
    metricIds: readonly number[],
    flagged: readonly { metricId: number; score: number; threshold: number; median: number; mad: number; size: number; lineageRef: string }[],
    now: string,
  ): Promise<void> {
    for (const part of chunks(metricIds)) await db.deleteFrom('agent_outliers').where('method', '=', method).where('agent_metric_id', 'in', part).execute();
    for (const part of chunks(flagged)) {
      await db
        .insertInto('agent_outliers')
        .values(
          part.map((f) => ({
            agent_metric_id: f.metricId,
            method,
            score: f.score,
            threshold: f.threshold,
            baseline_median: f.median,
            baseline_mad: f.mad,
            baseline_size: f.size,
            flagged_at_utc: now,
            lineage_ref: f.lineageRef,
          })),
        )
        .execute();
    }
  },

  // ---------- reads for the API ----------

  async seriesRows(db: Executor, q: { agentIds: readonly string[] | null; kpis: readonly string[]; granularity: Granularity; start: string; end: string }): Promise<MetricRow[]> {
    let query = db
      .selectFrom('agent_metrics')
      .selectAll()
      .where('granularity', '=', q.granularity)
      .where('kpi_key', 'in', [...q.kpis])
      .where('window_start_utc', '<', q.end)
      .where('window_end_utc', '>', q.start);
    if (q.agentIds) query = query.where('agent_id', 'in', [...q.agentIds]);
    return query.orderBy('agent_id').orderBy('kpi_key').orderBy('window_start_utc').execute();
  },

  async outliers(db: Executor, q: { agentIds: readonly string[] | null; kpi: string | null; start: string; end: string; limit: number }) {
    let query = db
      .selectFrom('agent_outliers as o')
      .innerJoin('agent_metrics as m', 'm.id', 'o.agent_metric_id')
      .select([
        'o.id',
        'o.method',
        'o.score',
        'o.threshold',
        'o.baseline_median',
        'o.baseline_mad',
        'o.baseline_size',
        'o.flagged_at_utc',
        'o.lineage_ref',
        'm.agent_id',
        'm.kpi_key',
        'm.unit',
        'm.window_start_utc',
        'm.window_end_utc',
        'm.kpi_value',
      ])
      .where('m.window_start_utc', '<', q.end)
      .where('m.window_end_utc', '>', q.start);
    if (q.agentIds) query = query.where('m.agent_id', 'in', [...q.agentIds]);
    if (q.kpi) query = query.where('m.kpi_key', '=', q.kpi);
    return query.orderBy(sql`abs(o.score)`, 'desc').orderBy('o.id').limit(q.limit).execute();
  },

  /** The newest figures of one KPI, for the consistency monitor to check against their lineage. */
  async recentMetrics(db: Executor, kpi: string, limit: number): Promise<{ ref: string; value: number | null }[]> {
    const rows = await db.selectFrom('agent_metrics').select(['lineage_ref', 'kpi_value']).where('kpi_key', '=', kpi).orderBy('window_start_utc', 'desc').limit(limit).execute();
    return rows.map((r) => ({ ref: r.lineage_ref, value: r.kpi_value }));
  },

  async metricByLineage(db: Executor, lineageRef: string): Promise<MetricRow | undefined> {
    return db.selectFrom('agent_metrics').selectAll().where('lineage_ref', '=', lineageRef).executeTakeFirst();
  },

  async eventsByIds(db: Executor, ids: readonly number[]) {
    const out = [];
    for (const part of chunks(ids)) {
      out.push(
        ...(await db
          .selectFrom('domain_events')
          .select(['id', 'event_type', 'entity_type', 'entity_id', 'occurred_at_utc', 'source_system', 'project_id', 'story_id', 'workflow_id', 'payload_json', 'sent_by', 'trace_id'])
          .where('id', 'in', part)
          .execute()),
      );
    }
    return out.sort((a, b) => Number(a.id) - Number(b.id));
  },

  /**
   * A Claude Code session's run is shown as the run BMAD's files show for the same work when there is one: lineage
   * links to that run, by its name, never to the session run's bare id.
   */
  async sessionRunsShownAs(db: Executor, ids: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const part of chunks(ids)) {
      for (const r of await db.selectFrom('workflow_sessions').select(['session_run_id', 'run_id']).where('session_run_id', 'in', part).execute()) out.set(r.session_run_id, r.run_id);
    }
    return out;
  },

  /** Display names of the workflows, stories and projects lineage links point to. */
  async names(db: Executor, ids: { workflows: readonly string[]; stories: readonly string[]; projects: readonly string[] }): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const part of chunks(ids.workflows)) for (const r of await db.selectFrom('workflows').select(['id', 'name']).where('id', 'in', part).execute()) if (r.name) out.set(`workflow:${r.id}`, r.name);
    for (const part of chunks(ids.stories)) for (const r of await db.selectFrom('stories').select(['id', 'title']).where('id', 'in', part).execute()) if (r.title) out.set(`story:${r.id}`, r.title);
    for (const part of chunks(ids.projects)) for (const r of await db.selectFrom('projects').select(['id', 'name']).where('id', 'in', part).execute()) if (r.name) out.set(`project:${r.id}`, r.name);
    return out;
  },

  async documentsOfStories(db: Executor, storyIds: readonly string[]): Promise<{ id: string; storyId: string; title: string }[]> {
    const out: { id: string; storyId: string; title: string }[] = [];
    for (const part of chunks(storyIds)) {
      const rows = await db.selectFrom('documents').select(['id', 'story_id', 'title']).where('story_id', 'in', part).where('removed_at', 'is', null).execute();
      for (const r of rows) out.push({ id: r.id, storyId: r.story_id!, title: r.title });
    }
    return out;
  },
};

function metricValues(m: NewMetric, now: string) {
  return {
    agent_id: m.agentId,
    kpi_key: m.kpi,
    unit: m.unit,
    granularity: m.granularity,
    window_start_utc: m.windowStart,
    window_end_utc: m.windowEnd,
    kpi_value: m.value,
    num: m.num,
    den: m.den,
    lineage_ref: m.lineageRef,
    updated_at_utc: now,
  };
}
