import { browserTimeZone } from '../../components/TimeZoneSelect.js';
import { COST_GROUP_BY, COST_MAX_RANGE_DAYS, COST_WINDOWS, isKnownTimeZone, type CostWindow } from '../../../contracts/index.js';

export type GroupBy = (typeof COST_GROUP_BY)[number];

export interface CostFilters {
  window: CostWindow;
  /** Custom range as YYYY-MM-DD dates (start inclusive, end exclusive), midnight UTC. */
  start: string | undefined;
  end: string | undefined;
  projectId: string | undefined;
  tz: string;
  groupBy: GroupBy;
}

export function filtersFrom(params: URLSearchParams): CostFilters {
  const w = params.get('window');
  const g = params.get('groupBy');
  return {
    window: (COST_WINDOWS as readonly string[]).includes(w ?? '') ? (w as CostWindow) : '7d',
    start: params.get('start') ?? undefined,
    end: params.get('end') ?? undefined,
    projectId: params.get('projectId') ?? undefined,
    // An unknown zone in a hand-edited link falls back to the browser's rather than breaking the page.
    tz: ((tz) => (tz && isKnownTimeZone(tz) ? tz : browserTimeZone()))(params.get('tz')),
    groupBy: (COST_GROUP_BY as readonly string[]).includes(g ?? '') ? (g as GroupBy) : 'project',
  };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
export const dateToInstant = (d: string) => `${d}T00:00:00.000Z`;

/** The custom range's field errors, as the server would give them (end after start, at most 400 days). */
export function rangeErrors(f: CostFilters): { start?: string; end?: string } {
  if (f.window !== 'custom') return {};
  const errors: { start?: string; end?: string } = {};
  if (!f.start || !DATE.test(f.start) || Number.isNaN(Date.parse(dateToInstant(f.start)))) errors.start = 'Enter a start date.';
  if (!f.end || !DATE.test(f.end) || Number.isNaN(Date.parse(dateToInstant(f.end)))) errors.end = 'Enter an end date.';
  if (errors.start || errors.end) return errors;
  const span = Date.parse(dateToInstant(f.end!)) - Date.parse(dateToInstant(f.start!));
  if (span <= 0) return { end: 'The end must be after the start.' };
  if (span > COST_MAX_RANGE_DAYS * 86_400_000) return { end: `The range must be at most ${COST_MAX_RANGE_DAYS} days.` };
  return {};
}

/** Hour buckets for a day or less, day buckets otherwise. */
export function bucketFor(f: CostFilters): 'hour' | 'day' {
  if (f.window === '24h') return 'hour';
  if (f.window === 'custom' && f.start && f.end)
    return Date.parse(dateToInstant(f.end)) - Date.parse(dateToInstant(f.start)) <= 2 * 86_400_000 ? 'hour' : 'day';
  return 'day';
}
