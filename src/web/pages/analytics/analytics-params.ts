import { ANALYTICS_MAX_POINTS, ANALYTICS_MAX_RANGE_DAYS, DAY_MS, HOUR_MS, KPI_KEYS, type KpiKey } from '../../../contracts/index.js';

export const ANALYTICS_WINDOWS = ['24h', '7d', '30d', 'custom'] as const;
export type AnalyticsWindow = (typeof ANALYTICS_WINDOWS)[number];
export type Bucket = 'hour' | 'day';

/** What the page shows, all of it read from (and written to) the URL so a view can be reloaded and shared. */
export interface AnalyticsFilters {
  /** Empty: every agent with a value in the range (the server's default, at most 50). */
  agents: string[];
  kpis: KpiKey[];
  window: AnalyticsWindow;
  /** Custom range as YYYY-MM-DD dates (start inclusive, end exclusive), midnight UTC. */
  start: string | undefined;
  end: string | undefined;
  bucket: Bucket;
  /** The lineage reference whose sources the drawer shows, if open. */
  lineage: string | undefined;
}

/** Shown when the URL names no KPI: the four a team lead looks at first, not all eight charts. */
export const DEFAULT_KPIS: KpiKey[] = ['workflows_completed', 'failure_rate', 'median_cycle_time', 'cost'];
export const MAX_AGENTS = 50;

const csv = (v: string | null) => [
  ...new Set(
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  ),
];

export function filtersFrom(params: URLSearchParams): AnalyticsFilters {
  const w = params.get('window');
  const window = (ANALYTICS_WINDOWS as readonly string[]).includes(w ?? '') ? (w as AnalyticsWindow) : '7d';
  // Unknown KPI keys in a hand-edited link are dropped rather than sent to the server to be refused.
  const kpis = csv(params.get('kpis')).filter((k): k is KpiKey => (KPI_KEYS as readonly string[]).includes(k));
  const b = params.get('bucket');
  return {
    agents: csv(params.get('agents')).slice(0, MAX_AGENTS),
    kpis: kpis.length > 0 ? kpis : DEFAULT_KPIS,
    window,
    start: window === 'custom' ? (params.get('start') ?? undefined) : undefined,
    end: window === 'custom' ? (params.get('end') ?? undefined) : undefined,
    bucket: b === 'hour' || b === 'day' ? b : window === '24h' ? 'hour' : 'day',
    lineage: params.get('lineage') ?? undefined,
  };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
export const dateToInstant = (d: string) => `${d}T00:00:00.000Z`;

function validDate(d: string | undefined): d is string {
  if (!d || !DATE.test(d)) return false;
  const t = Date.parse(dateToInstant(d));
  // Date.parse rolls 2026-02-30 over to March; the server refuses it, so do we.
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === d && d >= '1970-01-01';
}

export interface RangeErrors {
  start?: string;
  end?: string;
  bucket?: string;
}

/**
 * The custom range's field errors, by the same rules as the server's 422 (trendsQuerySchema): end after start, at most
 * ANALYTICS_MAX_RANGE_DAYS days, at most ANALYTICS_MAX_POINTS buckets per series. Checked here so a bad range is
 * explained next to its field at once, without a round trip.
 */
export function rangeErrors(f: AnalyticsFilters): RangeErrors {
  if (f.window !== 'custom') return {};
  const errors: RangeErrors = {};
  if (!validDate(f.start)) errors.start = 'Enter a start date.';
  if (!validDate(f.end)) errors.end = 'Enter an end date.';
  if (errors.start || errors.end) return errors;
  const span = Date.parse(dateToInstant(f.end!)) - Date.parse(dateToInstant(f.start!));
  if (span <= 0) return { end: 'The end must be after the start.' };
  if (span > ANALYTICS_MAX_RANGE_DAYS * DAY_MS) return { end: `The range must be at most ${ANALYTICS_MAX_RANGE_DAYS} days.` };
  if (Math.ceil(span / (f.bucket === 'hour' ? HOUR_MS : DAY_MS)) + 1 > ANALYTICS_MAX_POINTS)
    return { bucket: `Hourly buckets would give more than ${ANALYTICS_MAX_POINTS} points: choose days or a shorter range.` };
  return {};
}

export interface Range {
  start: string;
  end: string;
}

const PRESET_MS: Record<Exclude<AnalyticsWindow, 'custom'>, number> = { '24h': DAY_MS, '7d': 7 * DAY_MS, '30d': 30 * DAY_MS };

/**
 * The instants the queries ask for. A preset window ends at the next bucket boundary after `now`, so the current
 * bucket is included, buckets line up with the server's (UTC hours and days), and the query key only changes when a
 * new bucket starts instead of on every render. It holds at least two buckets: "last 24 hours" by day is yesterday and
 * today, not today alone.
 */
export function rangeOf(f: AnalyticsFilters, now: number): Range | undefined {
  if (f.window === 'custom') {
    if (Object.keys(rangeErrors(f)).length > 0) return undefined;
    return { start: dateToInstant(f.start!), end: dateToInstant(f.end!) };
  }
  const period = f.bucket === 'hour' ? HOUR_MS : DAY_MS;
  const end = Math.floor(now / period) * period + period;
  const buckets = Math.max(2, Math.round(PRESET_MS[f.window] / period));
  return { start: new Date(end - buckets * period).toISOString(), end: new Date(end).toISOString() };
}

/**
 * Whether an `analytics_updated` message touches what is on screen. Its `from`/`to` are bucket starts, of hours or
 * days, so a day is added to `to` to cover the whole last bucket whichever granularity it was.
 */
export function overlaps(range: Range, from: string, to: string): boolean {
  const f = Date.parse(from);
  const t = Date.parse(to);
  if (Number.isNaN(f) || Number.isNaN(t)) return true;
  return f < Date.parse(range.end) && t + DAY_MS > Date.parse(range.start);
}
