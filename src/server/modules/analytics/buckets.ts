import { createHash } from 'node:crypto';
import type { Granularity, MetricKey } from './analytics.repository.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
export const GRANULARITIES: readonly Granularity[] = ['hour', 'day'];

/** UTC hour or day containing the instant. Analytics buckets are UTC: agents work around the clock and across zones. */
export function bucketOf(at: string | number, g: Granularity): { start: string; end: string } {
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

export function keyString(k: MetricKey): string {
  return `${k.agentId}\n${k.kpi}\n${k.unit}\n${k.granularity}\n${k.windowStart}`;
}

export function parseKey(s: string): MetricKey {
  const [agentId, kpi, unit, granularity, windowStart] = s.split('\n') as [string, string, string, Granularity, string];
  return { agentId, kpi, unit, granularity, windowStart };
}
