import type { CostBucket } from '../../../contracts/index.js';

/** Why a cost figure is unknown, in full (banners) and short (chart legend, tooltip, table, budget lines). */
const REASON_TEXT: Record<string, string> = {
  no_cost_source: 'no cost source has reported for this range yet',
  unpriced_events: 'only unpriced events (no known price for their model) were recorded',
};
const SHORT_REASON: Record<string, string> = { no_cost_source: 'no cost source reporting', unpriced_events: 'only unpriced records' };

export const reasonText = (r: string | null) => (r ? (REASON_TEXT[r] ?? r) : 'unknown');
export const shortReason = (r: string | null) => (r ? (SHORT_REASON[r] ?? r) : 'unknown');

export function money(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency, maximumFractionDigits: 2 }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

/** A bucket's start in the chosen zone: short for the axis, long (with the day for hours) for tooltips and tables. */
export function bucketLabel(iso: string, bucket: CostBucket, tz: string, long = false): string {
  const opts: Intl.DateTimeFormatOptions =
    bucket === 'hour'
      ? { ...(long ? { month: 'short', day: 'numeric' } : {}), hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
      : { ...(long ? { weekday: 'short', year: 'numeric' } : {}), month: 'short', day: 'numeric' };
  try {
    return new Intl.DateTimeFormat(undefined, { ...opts, timeZone: tz }).format(new Date(iso));
  } catch {
    return iso.slice(0, bucket === 'hour' ? 16 : 10);
  }
}

/** A day in the chosen zone, e.g. "Nov 24". */
export function dayLabel(iso: string, tz: string): string {
  try {
    return new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: tz }).format(new Date(iso));
  } catch {
    return iso.slice(0, 10);
  }
}
