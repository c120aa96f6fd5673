import { DAY_MS } from '../../../contracts/time.js';
import { encodeParts, KeySet } from '../../composite-key.js';
import type { Executor } from '../../db/handle.js';
import { analyticsRepository as repo, type MetricRow } from './analytics.repository.js';
import type { DayKey } from './buckets.js';
import { KPI_BY_KEY } from './kpi-catalogue.js';
import type { OutlierSettings } from './outlier-settings.js';
import { baselineOf, modifiedZ } from './robust-z.js';

export type { OutlierSettings } from './outlier-settings.js';

interface Flag {
  metricId: number;
  score: number;
  threshold: number;
  median: number;
  mad: number;
  size: number;
  lineageRef: string;
}

function valued(rows: readonly MetricRow[]): (MetricRow & { kpi_value: number })[] {
  return rows.filter((r): r is MetricRow & { kpi_value: number } => r.kpi_value !== null);
}

/** One KPI on one day across agents: each agent's value against the median and MAD of all of them. */
export async function scorePeers(trx: Executor, kpi: string, unit: string, dayStart: string, ctx: { now: string; outliers: OutlierSettings }): Promise<void> {
  const rows = await repo.peers(trx, kpi, unit, 'day', dayStart);
  const withValue = valued(rows);
  const flags: Flag[] = [];
  if (withValue.length >= ctx.outliers.minPeers) {
    const values = withValue.map((r) => r.kpi_value);
    const b = baselineOf(values);
    for (const r of withValue) {
      const z = modifiedZ(r.kpi_value, values, b);
      if (z !== null && Math.abs(z) > ctx.outliers.threshold) {
        flags.push({
          metricId: Number(r.id),
          score: z,
          threshold: ctx.outliers.threshold,
          median: b.median,
          mad: b.mad,
          size: b.size,
          lineageRef: r.lineage_ref,
        });
      }
    }
  }
  await repo.replaceOutliers(
    trx,
    'peer_mad',
    rows.map((r) => Number(r.id)),
    flags,
    ctx.now,
  );
}

/** One KPI on one (finished) day: each agent's value against its own previous days. */
export async function scoreHistory(trx: Executor, kpi: string, unit: string, dayStart: string, ctx: { now: string; outliers: OutlierSettings }): Promise<void> {
  const rows = await repo.peers(trx, kpi, unit, 'day', dayStart);
  const from = new Date(Date.parse(dayStart) - ctx.outliers.historyDays * DAY_MS).toISOString();
  const flags: Flag[] = [];
  const byAgent = new Map<string, number[]>();
  for (const h of valued(await repo.history(trx, kpi, unit, from, dayStart))) byAgent.set(h.agent_id, [...(byAgent.get(h.agent_id) ?? []), h.kpi_value]);
  for (const r of valued(rows)) {
    const values = byAgent.get(r.agent_id) ?? [];
    if (values.length < ctx.outliers.minHistory) continue;
    const b = baselineOf(values);
    const z = modifiedZ(r.kpi_value, values, b);
    if (z !== null && Math.abs(z) > ctx.outliers.threshold) {
      flags.push({
        metricId: Number(r.id),
        score: z,
        threshold: ctx.outliers.threshold,
        median: b.median,
        mad: b.mad,
        size: b.size,
        lineageRef: r.lineage_ref,
      });
    }
  }
  await repo.replaceOutliers(
    trx,
    'history_mad',
    rows.map((r) => Number(r.id)),
    flags,
    ctx.now,
  );
}

/** Every public KPI of a day that has just ended: its history scores could not be computed while it was running. */
export async function scoreFinishedDay(trx: Executor, dayStart: string, ctx: { now: string; outliers: OutlierSettings }): Promise<void> {
  const rows = await repo.dayRowsOf(trx, dayStart, [...KPI_BY_KEY.keys()]);
  const series = new KeySet<{ kpi: string; unit: string }>(
    (s) => encodeParts([s.kpi, s.unit]),
    rows.map((r) => ({ kpi: r.kpi_key, unit: r.unit })),
  );
  for (const { kpi, unit } of series) await scoreHistory(trx, kpi, unit, dayStart, ctx);
}

/**
 * Rescores the given day buckets: against the other agents that day, and (for days already
 * over) against each agent's own history. A day still running is not compared with whole days.
 */
export async function scoreDays(trx: Executor, days: Iterable<DayKey>, ctx: { now: string; outliers: OutlierSettings }): Promise<void> {
  for (const { kpi, unit, dayStart: start } of days) {
    await scorePeers(trx, kpi, unit, start, ctx);
    if (new Date(Date.parse(start) + DAY_MS).toISOString() <= ctx.now) await scoreHistory(trx, kpi, unit, start, ctx);
  }
}
