import { encodeParts, groupByKey, KeySet } from '../../composite-key.js';
import type { Executor } from '../../db/handle.js';
import { costsRepository } from '../costs/data.js';
import { workflowsRepository } from '../workflows/data.js';
import type { TakenFact } from './rollup-state.repository.js';
import type { Fact } from './facts/fact.js';
import { analyticsRepository as repo, type Granularity, type MetricKey, type NewMetric, type RollupEvent } from './analytics.repository.js';
import { bucketOf, encodeDayKey, encodeMetricKey, GRANULARITIES, lineageRefOf, type DayKey } from './buckets.js';
import { storyFacts } from './facts/story-facts.js';
import { HistoryCache } from './history-cache.js';
import { workflowFacts } from './facts/workflow-facts.js';
import { FACT_SERIES_UNITS, INTERNAL_SERIES, isPublicKpi, KPI_BY_KEY } from './kpi-catalogue.js';
import type { OutlierSettings } from './outlier-settings.js';
import { median } from './robust-z.js';

const DERIVED_INPUTS = ['cost', INTERNAL_SERIES.tokens, INTERNAL_SERIES.storiesCompleted, 'cost_per_completed_story', 'tokens_per_completed_story'];

/** A bucket's value from its facts by the series' aggregation; null when there are none. */
function bucketValue(
  kpi: string,
  facts: readonly { num: number; den: number | null; sample: number | null }[],
): { value: number | null; num: number; den: number | null } | null {
  if (facts.length === 0) return null;
  if (kpi === 'median_cycle_time') return { value: median(facts.map((f) => f.sample ?? 0)), num: facts.length, den: null };
  if (kpi === 'time_blocked') {
    const hours = facts.reduce((s, f) => s + (f.sample ?? 0), 0);
    return { value: hours, num: hours, den: null };
  }
  const num = facts.reduce((s, f) => s + f.num, 0);
  if (isPublicKpi(kpi) && KPI_BY_KEY.get(kpi)?.aggregation === 'ratio') {
    const den = facts.reduce((s, f) => s + (f.den ?? 0), 0);
    return { value: den > 0 ? num / den : null, num, den };
  }
  return { value: num, num, den: null };
}

/** Buckets whose rows changed in a batch: what outlier scoring and live clients need to look at again. */
export interface BatchResult {
  /** Day buckets of public KPIs whose values changed: their outliers need rescoring. */
  days: DayKey[];
  from: string | null;
  to: string | null;
  touchedDays: number;
}

/** An agent's bucket whose per-story KPIs must be re-divided (its cost, tokens or completions changed). */
interface DerivedBucket {
  agentId: string;
  granularity: Granularity;
  windowStart: string;
}

const encodeDerived = (d: DerivedBucket) => encodeParts([d.agentId, d.granularity, d.windowStart]);

/** What a batch touched, as it goes: the fact buckets to recompute, the per-story buckets to re-divide, the days. */
class Touched {
  readonly facts = new KeySet<MetricKey>(encodeMetricKey);
  readonly derived = new KeySet<DerivedBucket>(encodeDerived);
  readonly days = new KeySet<DayKey>(encodeDayKey);

  /** A fact of a series at an instant: its hour and day buckets. */
  fact(agentId: string, kpi: string, at: string): void {
    for (const g of GRANULARITIES) this.facts.add({ agentId, kpi, unit: FACT_SERIES_UNITS[kpi]!, granularity: g, windowStart: bucketOf(at, g).start });
  }
}

function metric(k: MetricKey, value: number | null, num: number, den: number | null): NewMetric {
  return { ...k, windowEnd: bucketOf(k.windowStart, k.granularity).end, value, num, den, lineageRef: lineageRefOf(k) };
}

/** An agent's cost records in one bucket: token and per-currency sums, each added up in event order. */
interface CostBucket {
  agentId: string;
  granularity: Granularity;
  windowStart: string;
  tokens: number | null;
  amounts: Map<string, number>;
}

/**
 * Cost records: additive sums per agent, currency and bucket (incremental: nothing is re-read). Summed per bucket
 * first, with one key per record and granularity: a catch-up folds hundreds of thousands of records into a few hundred
 * buckets, and building every metric's key for every record was most of its time. Each sum still adds its records in
 * event order, so the stored figures are the same to the last bit.
 */
async function foldCosts(trx: Executor, events: readonly RollupEvent[], touched: Touched, now: string): Promise<void> {
  const costIds = new Set(events.filter((e) => e.type === 'cost.recorded').map((e) => e.id));
  if (costIds.size === 0) return;
  let first = Infinity;
  let last = -Infinity;
  for (const id of costIds) {
    if (id < first) first = id;
    if (id > last) last = id;
  }
  const buckets = new Map<string, CostBucket>();
  for (const c of await costsRepository.figuresOfEventRange(trx, first, last)) {
    if (c.agentId === null || !costIds.has(c.sourceEventId)) continue;
    for (const g of GRANULARITIES) {
      const windowStart = bucketOf(c.occurredAt, g).start;
      // Unambiguous without separators: the first character is the granularity's, and a bucket start is an ISO instant
      // of fixed width (24 characters, or 27 for a signed extended year, whose sign no 4-digit year starts with).
      const key = `${g === 'hour' ? 'h' : 'd'}${windowStart}${c.agentId}`;
      let b = buckets.get(key);
      if (b === undefined) {
        b = { agentId: c.agentId, granularity: g, windowStart, tokens: null, amounts: new Map() };
        buckets.set(key, b);
      }
      if (c.amount !== null && c.currency !== null) b.amounts.set(c.currency, (b.amounts.get(c.currency) ?? 0) + c.amount);
      if (c.tokens !== null) b.tokens = (b.tokens ?? 0) + c.tokens;
    }
  }
  const adds: NewMetric[] = [];
  for (const { agentId, granularity, windowStart, tokens, amounts } of buckets.values()) {
    for (const [currency, amount] of amounts) {
      adds.push(metric({ agentId, kpi: 'cost', unit: currency, granularity, windowStart }, amount, amount, null));
      if (granularity === 'day') touched.days.add({ kpi: 'cost', unit: currency, dayStart: windowStart });
    }
    if (tokens !== null) adds.push(metric({ agentId, kpi: INTERNAL_SERIES.tokens, unit: 'tokens', granularity, windowStart }, tokens, tokens, null));
    touched.derived.add({ agentId, granularity, windowStart });
  }
  await repo.addToMetrics(trx, adds, now);
}

const factKey = (agentId: string, f: Omit<TakenFact, 'agentId'>) => encodeParts([agentId, f.kpi, f.at, String(f.num), String(f.den), String(f.sample)]);

/**
 * Touches the buckets of the facts a re-derivation changed: those it dropped and those it added, as multisets. A
 * story re-derived because one of its workflows moved mostly gets its old facts back; touching them anyway would
 * recompute, every batch, the buckets of days long past (the story's completion, weeks ago).
 */
function touchChanged(touched: Touched, before: readonly TakenFact[], after: readonly { agentId: string; fact: Fact }[]): void {
  const counts = new Map<string, number>();
  for (const f of before) counts.set(factKey(f.agentId, f), (counts.get(factKey(f.agentId, f)) ?? 0) + 1);
  for (const r of after) {
    const k = factKey(r.agentId, r.fact);
    const n = counts.get(k) ?? 0;
    if (n > 0) counts.set(k, n - 1);
    else touched.fact(r.agentId, r.fact.kpi, r.fact.at);
  }
  for (const f of before) {
    const k = factKey(f.agentId, f);
    const n = counts.get(k) ?? 0;
    if (n > 0) {
      counts.set(k, n - 1);
      touched.fact(f.agentId, f.kpi, f.at);
    }
  }
}

/** Re-derives the facts of workflows whose history changed; returns the stories they ran (their attribution may change). */
async function rederiveWorkflows(trx: Executor, workflowIds: readonly string[], touched: Touched, cache: HistoryCache): Promise<string[]> {
  const links = await workflowsRepository.linksOf(trx, workflowIds);
  if (workflowIds.length > 0) {
    const before = await repo.takeFacts(trx, 'workflow', workflowIds);
    const histories = await cache.histories(trx, 'workflow', workflowIds);
    const rows = [];
    for (const id of workflowIds) {
      const agentId = links.get(id)?.agentId;
      if (!agentId) continue;
      for (const fact of workflowFacts(histories.get(id) ?? [])) rows.push({ entityType: 'workflow', entityId: id, agentId, fact });
    }
    await repo.insertFacts(trx, rows);
    touchChanged(touched, before, rows);
  }
  return [...links.values()].flatMap((l) => (l.storyId ? [l.storyId] : []));
}

/** Re-derives the facts of stories whose history (or whose workflows) changed, for each agent that worked on them. */
async function rederiveStories(trx: Executor, ids: readonly string[], touched: Touched, cache: HistoryCache): Promise<void> {
  if (ids.length === 0) return;
  const before = await repo.takeFacts(trx, 'story', ids);
  const histories = await cache.histories(trx, 'story', ids);
  const agents = await workflowsRepository.agentsOfStories(trx, ids);
  const rows = [];
  for (const id of ids) {
    const facts = storyFacts(histories.get(id) ?? []);
    for (const agentId of agents.get(id) ?? []) for (const fact of facts) rows.push({ entityType: 'story', entityId: id, agentId, fact });
  }
  await repo.insertFacts(trx, rows);
  touchChanged(touched, before, rows);
}

/** Workflows and stories whose history changed: their facts are re-derived from their whole history. */
async function rederiveFacts(trx: Executor, events: readonly RollupEvent[], touched: Touched, cache: HistoryCache): Promise<void> {
  const workflowIds = [...new Set(events.filter((e) => e.entityType === 'workflow').map((e) => e.entityId))];
  const storyIds = new Set(events.filter((e) => e.entityType === 'story' && e.type.startsWith('story.')).map((e) => e.entityId));
  for (const id of await rederiveWorkflows(trx, workflowIds, touched, cache)) storyIds.add(id);
  await rederiveStories(trx, [...storyIds], touched, cache);
}

/** Fact-derived buckets: recomputed from the facts in them, read once per agent and series for the days touched. */
async function recomputeFactBuckets(trx: Executor, touched: Touched, now: string): Promise<void> {
  const upserts: NewMetric[] = [];
  const deletes: MetricKey[] = [];
  const bySeries = groupByKey(
    touched.facts,
    (k) => ({ agentId: k.agentId, kpi: k.kpi }),
    (s) => encodeParts([s.agentId, s.kpi]),
  );
  for (const [{ agentId, kpi }, keys] of bySeries) {
    // The facts of the touched days only, a day at a time: one range from the first to the last touched day would read
    // every fact in between (a story's facts from weeks ago are re-touched whenever one of its workflows moves).
    const facts = new Map<string, { at: string; num: number; den: number | null; sample: number | null }[]>();
    for (const day of new Set(keys.map((k) => bucketOf(k.windowStart, 'day').start))) {
      const rows = await repo.factFiguresIn(trx, agentId, kpi, day, bucketOf(day, 'day').end);
      facts.set(
        day,
        rows.map((r) => ({ at: r.occurred_at_utc, num: r.num, den: r.den, sample: r.sample })),
      );
    }
    for (const k of keys) {
      const end = bucketOf(k.windowStart, k.granularity).end;
      const value = bucketValue(
        kpi,
        facts.get(bucketOf(k.windowStart, 'day').start)!.filter((f) => f.at >= k.windowStart && f.at < end),
      );
      if (value === null) deletes.push(k);
      else upserts.push(metric(k, value.value, value.num, value.den));
      if (kpi === INTERNAL_SERIES.storiesCompleted) touched.derived.add({ agentId, granularity: k.granularity, windowStart: k.windowStart });
      if (k.granularity === 'day') touched.days.add({ kpi, unit: k.unit, dayStart: k.windowStart });
    }
  }
  if (upserts.length > 0) await repo.upsertMetrics(trx, upserts, now);
  if (deletes.length > 0) await repo.deleteMetrics(trx, deletes);
}

/** Per-story KPIs: the bucket's cost (per currency) or tokens over its completed stories; no value without one. */
async function redividePerStoryKpis(trx: Executor, touched: Touched, now: string): Promise<void> {
  const next: NewMetric[] = [];
  const gone: MetricKey[] = [];
  for (const [agentId, buckets] of groupByKey(
    touched.derived,
    (d) => d.agentId,
    (a) => a,
  )) {
    const starts = buckets.map((d) => d.windowStart).sort();
    const rows = await repo.agentRows(trx, agentId, DERIVED_INPUTS, starts[0]!, starts[starts.length - 1]!);
    for (const { granularity: g, windowStart: start } of buckets) {
      const here = rows.filter((r) => r.granularity === g && r.window_start_utc === start);
      const completed = here.find((r) => r.kpi_key === INTERNAL_SERIES.storiesCompleted)?.num ?? 0;
      for (const r of here) {
        const kpi = r.kpi_key === 'cost' ? 'cost_per_completed_story' : r.kpi_key === INTERNAL_SERIES.tokens ? 'tokens_per_completed_story' : null;
        if (kpi === null) continue;
        const k: MetricKey = { agentId, kpi, unit: r.unit, granularity: g, windowStart: start };
        const exists = here.some((x) => x.kpi_key === kpi && x.unit === r.unit);
        if (completed > 0) next.push(metric(k, r.num / completed, r.num, completed));
        else if (exists) gone.push(k);
        if (g === 'day' && (completed > 0 || exists)) touched.days.add({ kpi, unit: r.unit, dayStart: start });
      }
    }
  }
  if (next.length > 0) await repo.upsertMetrics(trx, next, now);
  if (gone.length > 0) await repo.deleteMetrics(trx, gone);
}

/** The earliest and latest bucket start the batch changed. */
function touchedRange(touched: Touched): { from: string | null; to: string | null } {
  let from: string | null = null;
  let to: string | null = null;
  for (const start of [...[...touched.facts].map((k) => k.windowStart), ...[...touched.derived].map((d) => d.windowStart)]) {
    if (from === null || start < from) from = start;
    if (to === null || start > to) to = start;
  }
  return { from, to };
}

/**
 * Lets waiting I/O (dashboard reads, on their own connection) run between the steps of a batch. better-sqlite3 answers
 * synchronously, so a batch's awaits never leave the microtask queue: without this, a whole batch blocks the event
 * loop. Safe inside the transaction: the write connection stays held (Kysely's connection mutex), so no other write
 * can slip into it; writers queue behind it as before.
 */
const yieldToReads = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Folds one batch of committed events into agent_metrics, in one transaction with the checkpoint:
 * - cost records add to the agent's cost and token sums (incremental: nothing is re-read);
 * - a workflow or story event re-derives that entity's facts from its whole history, and only the hour and day
 *   buckets those facts fall in are recomputed from the facts table;
 * - per-story KPIs are re-divided where cost, tokens or completions changed;
 * - the days touched are returned, for outlier scoring.
 */
export async function rollupBatch(
  trx: Executor,
  events: readonly RollupEvent[],
  ctx: { now: string; outliers: OutlierSettings; histories?: HistoryCache; yieldBetweenSteps?: boolean },
): Promise<BatchResult> {
  const touched = new Touched();
  // On a worker thread of its own nothing waits for this loop: yielding would only slow the fold down.
  const yieldToIo = ctx.yieldBetweenSteps === false ? () => Promise.resolve() : yieldToReads;
  await foldCosts(trx, events, touched, ctx.now);
  await yieldToIo();
  // Without a cache handed in (a one-off batch), histories are read whole, through a cache of this batch only.
  await rederiveFacts(trx, events, touched, ctx.histories ?? new HistoryCache());
  await yieldToIo();
  await recomputeFactBuckets(trx, touched, ctx.now);
  await yieldToIo();
  await redividePerStoryKpis(trx, touched, ctx.now);
  // Outliers of the days touched are rescored by the job (scorePendingDays), once per round rather than per batch.
  const days = [...touched.days].filter((d) => isPublicKpi(d.kpi));
  return { days, ...touchedRange(touched), touchedDays: touched.days.size };
}
