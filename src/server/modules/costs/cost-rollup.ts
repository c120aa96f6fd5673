/**
 * The hourly cost rollup, without SQL: which hour a cost row belongs to, how a batch of rows folds into rollup deltas,
 * and how a query range splits into whole hours (read from the rollup) and partial edges (read from cost_events).
 */

import { HOUR_MS, utcDayStartIso } from '../../../contracts/time.js';

/** Stands for "none" in the rollup's key columns (see migration 004 for why not NULL). */
export const NONE = '';

/** The UTC hour an instant falls in, as stored (`YYYY-MM-DDTHH:00:00.000Z`). Instants are stored fixed-width ISO. */
export function hourStartOf(isoInstant: string): string {
  return `${isoInstant.slice(0, 13)}:00:00.000Z`;
}

export interface RollupKey {
  hour_start_utc: string;
  project_id: string;
  agent_id: string;
  model: string;
  story_id: string;
  currency: string;
}

export interface RollupDelta extends RollupKey {
  amount_sum: number;
  event_count: number;
  unpriced_count: number;
}

export interface CostRowForRollup {
  occurred_at_utc: string;
  project_id: string | null;
  agent_id: string | null;
  model: string | null;
  story_id: string | null;
  currency: string | null;
  cost_amount: number | null;
}

/**
 * One delta per rollup key touched by a batch, summed in memory so a batch of 5,000 cost rows costs one upsert per
 * distinct key instead of one per row. Additive, so the rollup does not depend on the order batches arrive in.
 */
export function rollUp(rows: readonly CostRowForRollup[]): RollupDelta[] {
  const byKey = new Map<string, RollupDelta>();
  for (const r of rows) {
    const key: RollupKey = {
      hour_start_utc: hourStartOf(r.occurred_at_utc),
      project_id: r.project_id ?? NONE,
      agent_id: r.agent_id ?? NONE,
      model: r.model ?? NONE,
      story_id: r.story_id ?? NONE,
      currency: r.currency ?? NONE,
    };
    const k = `${key.hour_start_utc}\n${key.project_id}\n${key.agent_id}\n${key.model}\n${key.story_id}\n${key.currency}`;
    let d = byKey.get(k);
    if (!d) byKey.set(k, (d = { ...key, amount_sum: 0, event_count: 0, unpriced_count: 0 }));
    d.event_count++;
    if (r.cost_amount === null) d.unpriced_count++;
    else d.amount_sum += r.cost_amount;
  }
  return [...byKey.values()];
}

export type ProjectRollupDelta = Pick<RollupDelta, 'hour_start_utc' | 'project_id' | 'currency' | 'amount_sum' | 'event_count' | 'unpriced_count'>;

/** The full-key deltas summed over agent, model and story: the deltas of the per-project rollup. */
export function byProject(deltas: readonly RollupDelta[]): ProjectRollupDelta[] {
  const byKey = new Map<string, ProjectRollupDelta>();
  for (const d of deltas) {
    const k = `${d.hour_start_utc}\n${d.project_id}\n${d.currency}`;
    let p = byKey.get(k);
    if (!p)
      byKey.set(
        k,
        (p = { hour_start_utc: d.hour_start_utc, project_id: d.project_id, currency: d.currency, amount_sum: 0, event_count: 0, unpriced_count: 0 }),
      );
    p.amount_sum += d.amount_sum;
    p.event_count += d.event_count;
    p.unpriced_count += d.unpriced_count;
  }
  return [...byKey.values()];
}

export type ProjectDayDelta = Omit<ProjectRollupDelta, 'hour_start_utc'> & { day_start_utc: string };

/** Per-project hourly deltas summed per UTC day: the deltas of the daily rollup. */
export function byDay(deltas: readonly ProjectRollupDelta[]): ProjectDayDelta[] {
  const byKey = new Map<string, ProjectDayDelta>();
  for (const d of deltas) {
    const day = utcDayStartIso(d.hour_start_utc);
    const k = `${day}\n${d.project_id}\n${d.currency}`;
    let p = byKey.get(k);
    if (!p) byKey.set(k, (p = { day_start_utc: day, project_id: d.project_id, currency: d.currency, amount_sum: 0, event_count: 0, unpriced_count: 0 }));
    p.amount_sum += d.amount_sum;
    p.event_count += d.event_count;
    p.unpriced_count += d.unpriced_count;
  }
  return [...byKey.values()];
}

export interface Interval {
  /** Inclusive, ms since the epoch. */
  start: number;
  /** Exclusive. */
  end: number;
}

export interface HourPlan {
  /** Whole UTC hours inside the range, read from the rollup (null when the range holds none). */
  rollup: Interval | null;
  /** Hours of `rollup` that a bucket boundary cuts: they are read from the quarter-hour rollup or cost_events instead. */
  splitHours: ReadonlySet<number>;
  /** The split hours every cut of which falls on a quarter hour, as contiguous intervals: read from the quarter-hour rollup. */
  quarters: Interval[];
  /** Everything read from cost_events, as few contiguous intervals as possible, in order. */
  raw: Interval[];
}

export const QUARTER_MS = HOUR_MS / 4;

function appendInterval(list: Interval[], s: number, e: number): void {
  if (s >= e) return;
  const prev = list.at(-1);
  if (prev && prev.end === s) prev.end = e;
  else list.push({ start: s, end: e });
}

/**
 * Splits [start, end) into whole UTC hours and the rest. `cuts` are instants inside the range where a result bucket
 * starts (time-zone day or hour boundaries): an hour a cut falls strictly inside cannot be attributed to one bucket
 * from its hourly rollup row. Such an hour is read from the quarter-hour rollup when every cut in it falls on a quarter
 * hour (every real zone's offset is a whole number of quarter hours: Asia/Kolkata starts its days at 18:30Z), else from
 * cost_events at minute precision, like the partial hours at the range's ends (windows such as now-24h).
 */
export function planHours(start: number, end: number, cuts: readonly number[] = []): HourPlan {
  const first = Math.ceil(start / HOUR_MS) * HOUR_MS;
  const last = Math.floor(end / HOUR_MS) * HOUR_MS;
  if (first >= last) return { rollup: null, splitHours: new Set(), quarters: [], raw: [{ start, end }] };
  const splitHours = new Set<number>();
  const rawHours = new Set<number>();
  for (const c of cuts) {
    if (c % HOUR_MS === 0) continue;
    const h = Math.floor(c / HOUR_MS) * HOUR_MS;
    if (h < first || h >= last) continue;
    splitHours.add(h);
    if (c % QUARTER_MS !== 0) rawHours.add(h);
  }
  const raw: Interval[] = [];
  const quarters: Interval[] = [];
  appendInterval(raw, start, first);
  for (const h of [...splitHours].sort((a, b) => a - b)) appendInterval(rawHours.has(h) ? raw : quarters, h, h + HOUR_MS);
  appendInterval(raw, last, end);
  return { rollup: { start: first, end: last }, splitHours, quarters, raw };
}

/** Intervals cut at every instant that falls strictly inside one of them: each piece lies within one bucket. */
export function splitAt(intervals: readonly Interval[], cuts: readonly number[]): Interval[] {
  const out: Interval[] = [];
  for (const iv of intervals) {
    let from = iv.start;
    for (const c of [...new Set(cuts)].filter((x) => x > iv.start && x < iv.end).sort((a, b) => a - b)) {
      out.push({ start: from, end: c });
      from = c;
    }
    out.push({ start: from, end: iv.end });
  }
  return out;
}

/** [start, end) without the given hours, as runs of whole hours. */
export function withoutHours(span: Interval, hours: ReadonlySet<number>): Interval[] {
  const out: Interval[] = [];
  let from = span.start;
  for (const h of [...hours].filter((x) => x >= span.start && x < span.end).sort((a, b) => a - b)) {
    if (from < h) out.push({ start: from, end: h });
    from = h + HOUR_MS;
  }
  if (from < span.end) out.push({ start: from, end: span.end });
  return out;
}

export interface StoryTotalDelta {
  story_id: string;
  currency: string;
  amount_sum: number;
  event_count: number;
  unpriced_count: number;
}

/** The full-key deltas summed per story and currency (rows naming no story left out): story cost to date. */
export function byStory(deltas: readonly RollupDelta[]): StoryTotalDelta[] {
  const byKey = new Map<string, StoryTotalDelta>();
  for (const d of deltas) {
    if (d.story_id === NONE) continue;
    const k = `${d.story_id}\n${d.currency}`;
    let p = byKey.get(k);
    if (!p) byKey.set(k, (p = { story_id: d.story_id, currency: d.currency, amount_sum: 0, event_count: 0, unpriced_count: 0 }));
    p.amount_sum += d.amount_sum;
    p.event_count += d.event_count;
    p.unpriced_count += d.unpriced_count;
  }
  return [...byKey.values()];
}
