import type { CostBucket } from '../../../contracts/index.js';
import { DAY_MS, HOUR_MS } from '../../../contracts/time.js';

/** Bucket boundaries in an IANA time zone, from Intl offsets: a local day across a DST change is 23 or 25 hours. */

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

interface LocalTime {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

function localTime(tz: string, utcMs: number): LocalTime {
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(utcMs))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { y: p.year!, mo: p.month!, d: p.day!, h: p.hour! % 24, mi: p.minute!, s: p.second! };
}

/** Local time minus UTC at an instant, in ms. */
export function offsetMs(tz: string, utcMs: number): number {
  const whole = Math.floor(utcMs / 1000) * 1000;
  const l = localTime(tz, whole);
  return Date.UTC(l.y, l.mo - 1, l.d, l.h, l.mi, l.s) - whole;
}

/** The instant a local wall-clock time names (Date.UTC normalises overflowing days, e.g. day 32). */
function localToUtc(tz: string, y: number, mo: number, d: number, h = 0, mi = 0): number {
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const first = wall - offsetMs(tz, wall);
  return wall - offsetMs(tz, first);
}

/** Start of the local hour or day containing an instant. */
export function bucketStart(tz: string, bucket: CostBucket, utcMs: number): number {
  const l = localTime(tz, utcMs);
  if (bucket === 'day') return localToUtc(tz, l.y, l.mo, l.d);
  // Floor within the local hour: offsets change on local hour boundaries, so this is unambiguous even in a repeated hour.
  return utcMs - (l.mi * 60_000 + l.s * 1000 + (((utcMs % 1000) + 1000) % 1000));
}

/** The start of the bucket after the one starting at `start` (one Intl step; makeBuckets skips ahead where it can). */
export function nextBoundary(tz: string, bucket: CostBucket, start: number): number {
  if (bucket === 'hour') {
    const plain = start + HOUR_MS;
    const next = bucketStart(tz, 'hour', plain);
    // A half-hour DST shift (Australia/Lord_Howe) lands mid-hour: the shift itself is then the boundary.
    return next > start && offsetMs(tz, next) === offsetMs(tz, plain) ? next : plain;
  }
  // Noon of the local day, plus a day, floored: never lands in the wrong day whatever the DST shift.
  const l = localTime(tz, start + 12 * HOUR_MS);
  return localToUtc(tz, l.y, l.mo, l.d + 1);
}

/** Contiguous buckets covering [start, end), the first and last clipped to the range. */
export function makeBuckets(tz: string, bucket: CostBucket, start: number, end: number): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let b = bucketStart(tz, bucket, start);
  while (b < end) {
    // Hour buckets: Intl is slow (~5 calls per bucket made 720 hourly buckets cost ~25 ms). Where b starts a local hour
    // and the zone's offset is the same a day later, no change lies in between (zones change offset at most once a day),
    // so the next 24 local hours are plain one-hour steps; days with a change (and a b that a half-hour shift moved
    // off the local hour, as on Lord Howe) take the exact path below.
    if (bucket === 'hour' && b + DAY_MS <= end && offsetMs(tz, b) === offsetMs(tz, b + DAY_MS) && bucketStart(tz, 'hour', b) === b) {
      for (let i = 0; i < 24; i++, b += HOUR_MS) out.push({ start: Math.max(b, start), end: b + HOUR_MS });
      continue;
    }
    const next = nextBoundary(tz, bucket, b);
    out.push({ start: Math.max(b, start), end: Math.min(next, end) });
    b = next;
  }
  return out;
}
