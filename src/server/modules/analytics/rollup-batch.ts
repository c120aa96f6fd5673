import type { Executor } from '../../db/handle.js';
import { analyticsRepository as repo, type Granularity, type MetricKey, type NewMetric, type RollupEvent } from './analytics.repository.js';
import { bucketOf, GRANULARITIES, keyString, lineageRefOf, parseKey } from './buckets.js';
import { storyFacts } from './facts/story-facts.js';
import { workflowFacts } from './facts/workflow-facts.js';
import { FACT_SERIES_UNITS, INTERNAL_SERIES, KPI_BY_KEY } from './kpi-catalogue.js';
import type { OutlierSettings } from './outliers.js';
import { median } from './robust-z.js';

const DERIVED_INPUTS = ['cost', INTERNAL_SERIES.tokens, INTERNAL_SERIES.storiesCompleted, 'cost_per_completed_story', 'tokens_per_completed_story'];

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = out.get(k);
    if (list) list.push(t);
    else out.set(k, [t]);
  }
  return out;
}

/** A bucket's value from its facts by the series' aggregation; null when there are none. */
function bucketValue(kpi: string, facts: readonly { num: number; den: number | null; sample: number | null }[]): { value: number | null; num: number; den: number | null } | null {
  if (facts.length === 0) return null;
  if (kpi === 'median_cycle_time') return { value: median(facts.map((f) => f.sample ?? 0)), num: facts.length, den: null };
  if (kpi === 'time_blocked') {
    const hours = facts.reduce((s, f) => s + (f.sample ?? 0), 0);
    return { value: hours, num: hours, den: null };
  }
  const num = facts.reduce((s, f) => s + f.num, 0);
  if (KPI_BY_KEY.get(kpi as never)?.aggregation === 'ratio') {
    const den = facts.reduce((s, f) => s + (f.den ?? 0), 0);
    return { value: den > 0 ? num / den : null, num, den };
  }
  return { value: num, num, den: null };
}

/** Buckets whose rows changed in a batch: what outlier scoring and live clients need to look at again. */
export interface BatchResult {
  /** Day buckets of public KPIs whose values changed ("kpi\nunit\ndayStart"): their outliers need rescoring. */
  days: string[];
  from: string | null;
  to: string | null;
  touchedDays: number;
}

class Touched {
  readonly keys = new Set<string>();
  add(k: MetricKey): void {
    this.keys.add(keyString(k));
  }
  *[Symbol.iterator](): Iterator<MetricKey> {
    for (const k of this.keys) yield parseKey(k);
  }
}

function metric(k: MetricKey, value: number | null, num: number, den: number | null): NewMetric {
  return { ...k, windowEnd: bucketOf(k.windowStart, k.granularity).end, value, num, den, lineageRef: lineageRefOf(k) };
}

/**
 * Folds one batch of committed events into agent_metrics, in one transaction with the checkpoint:
 * - cost records add to the agent's cost and token sums (incremental: nothing is re-read);
 * - a workflow or story event re-derives that entity's facts from its whole history, and only the hour and day
 *   buckets those facts fall in are recomputed from the facts table;
 * - per-story KPIs are re-divided where cost, tokens or completions changed;
 * - the days touched are returned, for outlier scoring.
 */
export async function rollupBatch(trx: Executor, events: readonly RollupEvent[], ctx: { now: string; outliers: OutlierSettings }): Promise<BatchResult> {
  const touchedFacts = new Touched();
  const touchedDerived = new Set<string>();
  const touchedDays = new Set<string>();
  const derivedKey = (agentId: string, g: Granularity, start: string) => `${agentId}\n${g}\n${start}`;

  // Cost records: additive sums per agent, currency and bucket.
  const costIds = events.filter((e) => e.type === 'cost.recorded').map((e) => e.id);
  if (costIds.length > 0) {
    const adds = new Map<string, NewMetric>();
    const add = (k: MetricKey, amount: number) => {
      const id = keyString(k);
      const m = adds.get(id) ?? metric(k, 0, 0, null);
      m.num += amount;
      m.value = m.num;
      adds.set(id, m);
    };
    for (const c of await repo.costRows(trx, costIds)) {
      if (c.agentId === null) continue;
      for (const g of GRANULARITIES) {
        const start = bucketOf(c.occurredAt, g).start;
        if (c.amount !== null && c.currency !== null) add({ agentId: c.agentId, kpi: 'cost', unit: c.currency, granularity: g, windowStart: start }, c.amount);
        if (c.tokens !== null) add({ agentId: c.agentId, kpi: INTERNAL_SERIES.tokens, unit: 'tokens', granularity: g, windowStart: start }, c.tokens);
        touchedDerived.add(derivedKey(c.agentId, g, start));
      }
    }
    await repo.addToMetrics(trx, [...adds.values()], ctx.now);
    for (const m of adds.values()) if (m.granularity === 'day' && m.kpi === 'cost') touchedDays.add(`cost\n${m.unit}\n${m.windowStart}`);
  }

  // Workflows and stories whose history changed. A workflow event may change who ran its story, so the story's
  // attribution is re-derived too.
  const workflowIds = [...new Set(events.filter((e) => e.entityType === 'workflow').map((e) => e.entityId))];
  const storyIds = new Set(events.filter((e) => e.entityType === 'story' && e.type.startsWith('story.')).map((e) => e.entityId));
  const links = await repo.workflowLinks(trx, workflowIds);
  for (const l of links.values()) if (l.storyId) storyIds.add(l.storyId);

  const noteFact = (agentId: string, kpi: string, at: string) => {
    for (const g of GRANULARITIES) touchedFacts.add({ agentId, kpi, unit: FACT_SERIES_UNITS[kpi]!, granularity: g, windowStart: bucketOf(at, g).start });
  };
  if (workflowIds.length > 0) {
    for (const f of await repo.takeFacts(trx, 'workflow', workflowIds)) noteFact(f.agentId, f.kpi, f.at);
    const histories = await repo.histories(trx, 'workflow', workflowIds);
    const rows = [];
    for (const id of workflowIds) {
      const agentId = links.get(id)?.agentId;
      if (!agentId) continue;
      for (const fact of workflowFacts(histories.get(id) ?? [])) rows.push({ entityType: 'workflow', entityId: id, agentId, fact });
    }
    await repo.insertFacts(trx, rows);
    for (const r of rows) noteFact(r.agentId, r.fact.kpi, r.fact.at);
  }
  if (storyIds.size > 0) {
    const ids = [...storyIds];
    for (const f of await repo.takeFacts(trx, 'story', ids)) noteFact(f.agentId, f.kpi, f.at);
    const [histories, agents] = await Promise.all([repo.histories(trx, 'story', ids), repo.storyAgents(trx, ids)]);
    const rows = [];
    for (const id of ids) {
      const facts = storyFacts(histories.get(id) ?? []);
      for (const agentId of agents.get(id) ?? []) for (const fact of facts) rows.push({ entityType: 'story', entityId: id, agentId, fact });
    }
    await repo.insertFacts(trx, rows);
    for (const r of rows) noteFact(r.agentId, r.fact.kpi, r.fact.at);
  }

  // Fact-derived buckets: recomputed from the facts in them, read once per agent and series for the days touched.
  const upserts: NewMetric[] = [];
  const deletes: MetricKey[] = [];
  for (const [series, keys] of groupBy([...touchedFacts], (k) => `${k.agentId}\n${k.kpi}`)) {
    const [agentId, kpi] = series.split('\n') as [string, string];
    const days = keys.map((k) => bucketOf(k.windowStart, 'day').start).sort();
    const facts = await repo.factsIn(trx, agentId, kpi, days[0]!, bucketOf(days[days.length - 1]!, 'day').end);
    for (const k of keys) {
      const end = bucketOf(k.windowStart, k.granularity).end;
      const inBucket = facts.filter((f) => f.at >= k.windowStart && f.at < end);
      const value = bucketValue(kpi, inBucket);
      if (value === null) deletes.push(k);
      else upserts.push(metric(k, value.value, value.num, value.den));
      if (kpi === INTERNAL_SERIES.storiesCompleted) touchedDerived.add(derivedKey(agentId, k.granularity, k.windowStart));
      if (k.granularity === 'day') touchedDays.add(`${kpi}\n${k.unit}\n${k.windowStart}`);
    }
  }
  if (upserts.length > 0) await repo.upsertMetrics(trx, upserts, ctx.now);
  if (deletes.length > 0) await repo.deleteMetrics(trx, deletes);

  // Per-story KPIs: the bucket's cost (per currency) or tokens over its completed stories; no value without one.
  const next: NewMetric[] = [];
  const gone: MetricKey[] = [];
  for (const [agentId, buckets] of groupBy([...touchedDerived], (d) => d.split('\n')[0]!)) {
    const starts = buckets.map((d) => d.split('\n')[2]!).sort();
    const rows = await repo.agentRows(trx, agentId, DERIVED_INPUTS, starts[0]!, starts[starts.length - 1]!);
    for (const d of buckets) {
      const [, g, start] = d.split('\n') as [string, Granularity, string];
      const here = rows.filter((r) => r.granularity === g && r.window_start_utc === start);
      const completed = here.find((r) => r.kpi_key === INTERNAL_SERIES.storiesCompleted)?.num ?? 0;
      for (const r of here) {
        const kpi = r.kpi_key === 'cost' ? 'cost_per_completed_story' : r.kpi_key === INTERNAL_SERIES.tokens ? 'tokens_per_completed_story' : null;
        if (kpi === null) continue;
        const k: MetricKey = { agentId, kpi, unit: r.unit, granularity: g, windowStart: start };
        const exists = here.some((x) => x.kpi_key === kpi && x.unit === r.unit);
        if (completed > 0) next.push(metric(k, r.num / completed, r.num, completed));
        else if (exists) gone.push(k);
        if (g === 'day' && (completed > 0 || exists)) touchedDays.add(`${kpi}\n${r.unit}\n${start}`);
      }
    }
  }
  if (next.length > 0) await repo.upsertMetrics(trx, next, ctx.now);
  if (gone.length > 0) await repo.deleteMetrics(trx, gone);

  // Outliers of the days touched are rescored by the job (scorePendingDays), once per round rather than per batch.
  let from: string | null = null;
  let to: string | null = null;
  for (const k of touchedFacts) {
    if (from === null || k.windowStart < from) from = k.windowStart;
    if (to === null || k.windowStart > to) to = k.windowStart;
  }
  for (const d of touchedDerived) {
    const start = d.split('\n')[2]!;
    if (from === null || start < from) from = start;
    if (to === null || start > to) to = start;
  }
  const days = [...touchedDays].filter((d) => KPI_BY_KEY.has(d.split('\n')[0] as never));
  return { days, from, to, touchedDays: touchedDays.size };
}
