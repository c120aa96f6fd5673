import { WEEK_MS } from '../../../contracts/index.js';
import { makeBuckets, offsetMs } from '../costs/index.js';
import type { Span } from './flow.js';

/** The local weekday (0 = Sunday) of a bucket that starts a local day. */
function localWeekday(tz: string, dayStart: number): number {
  return new Date(dayStart + offsetMs(tz, dayStart)).getUTCDay();
}

/** Local days of [start, end) in `tz`. */
export function dayBuckets(tz: string, start: number, end: number): Span[] {
  return makeBuckets(tz, 'day', start, end);
}

/** Local ISO weeks (Monday to Monday) overlapping [start, end), whole weeks (not clipped): a week's count is a week's. */
export function weekBuckets(tz: string, start: number, end: number): Span[] {
  const days = makeBuckets(tz, 'day', start - WEEK_MS, end + WEEK_MS);
  const mondays = days.filter((d) => localWeekday(tz, d.start) === 1).map((d) => d.start);
  const out: Span[] = [];
  for (let i = 0; i + 1 < mondays.length; i++) {
    const w = { start: mondays[i]!, end: mondays[i + 1]! };
    if (w.end > start && w.start < end) out.push(w);
  }
  return out;
}
