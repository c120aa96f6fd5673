import { createHash } from 'node:crypto';
import { DAY_MS, HOUR_MS } from '../../../contracts/time.js';
import { encodeParts } from '../../composite-key.js';
import type { Granularity, MetricKey } from './analytics.repository.js';

export const GRANULARITIES: readonly Granularity[] = ['hour', 'day'];

/** Stored instants are fixed-width ISO (`2026-10-29T18:10:01.940Z`): their hour and day starts are prefixes. */
const CANONICAL = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
/** Bucket ends by granularity and start: a catch-up asks for the same few thousand buckets millions of times. */
const ends = new Map<string, string>();

/** UTC hour or day containing the instant. Analytics buckets are UTC: agents work around the clock and across zones. */
export function bucketOf(at: string | number, g: Granularity): { start: string; end: string } {
  if (typeof at === 'string' && CANONICAL.test(at)) {
    const start = g === 'hour' ? `${at.slice(0, 13)}:00:00.000Z` : `${at.slice(0, 10)}T00:00:00.000Z`;
    // Keyed with the granularity: a day and its first hour start at the same instant.
    const key = g === 'hour' ? start : `d${start}`;
    let end = ends.get(key);
    if (end === undefined) {
      if (ends.size >= 100_000) ends.clear();
      end = new Date(Date.parse(start) + (g === 'hour' ? HOUR_MS : DAY_MS)).toISOString();
      ends.set(key, end);
    }
    return { start, end };
  }
  const ms = typeof at === 'number' ? at : Date.parse(at);
  const size = g === 'hour' ? HOUR_MS : DAY_MS;
  const start = Math.floor(ms / size) * size;
  return { start: new Date(start).toISOString(), end: new Date(start + size).toISOString() };
}

export function bucketStarts(start: string, end: string, g: Granularity): { start: string; end: string }[] {
  const out: { start: string; end: string }[] = [];
  const size = g === 'hour' ? HOUR_MS : DAY_MS;
  for (let t = Date.parse(bucketOf(start, g).start); t < Date.parse(end); t += size) {
    out.push({ start: new Date(t).toISOString(), end: new Date(t + size).toISOString() });
  }
  return out;
}

/** Stable across recomputes: the same agent, series, unit and window always resolve through the same reference. */
export function lineageRefOf(k: MetricKey): string {
  const digest = createHash('sha256').update(`${k.granularity}\n${k.agentId}\n${k.kpi}\n${k.unit}\n${k.windowStart}`).digest('base64url');
  return `metric:${digest.slice(0, 22)}`;
}

/** The one encoding of a metric's key, for maps and sets of metric keys. */
export function encodeMetricKey(k: MetricKey): string {
  return encodeParts([k.agentId, k.kpi, k.unit, k.granularity, k.windowStart]);
}

/** A public KPI's day bucket (in one unit) whose outliers need rescoring. */
export interface DayKey {
  kpi: string;
  unit: string;
  dayStart: string;
}

/** The stored form of a DayKey in the pending-days checkpoint: `kpi\nunit\ndayStart`, as earlier versions wrote it. */
export function encodeDayKey(d: DayKey): string {
  return `${d.kpi}\n${d.unit}\n${d.dayStart}`;
}

export function decodeDayKey(stored: string): DayKey {
  const parts = stored.split('\n');
  const [kpi, unit, dayStart] = parts;
  if (parts.length !== 3 || kpi === undefined || unit === undefined || dayStart === undefined)
    throw new Error(`not a pending day key: ${JSON.stringify(stored)}`);
  return { kpi, unit, dayStart };
}
