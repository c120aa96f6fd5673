import type { Histogram, MetricObjectWithValues, MetricValue, MetricValueWithName } from 'prom-client';
import type { Metrics } from '../../observability/metrics.js';
import type { Buckets } from './histogram-quantile.js';

/** One reading of the registry: what the sampler needs, in the numbers /metrics exports at the same moment. */
export interface Reading {
  atMs: number;
  ingestAccepted: number;
  ingestDuplicate: number;
  ingestRejected: number;
  /** Requests refused with 429 (ingest_overloaded_total, every reason). */
  ingestRefused: number;
  reconnects: number;
  reconnectsRecovered: number;
  syncFailures: Map<string, number>;
  sessions: number;
  staleRatio: number;
  rollupBacklog: number;
  eventToUi: Buckets;
  lockWait: Buckets;
  rollupLag: Buckets;
}

type Values = MetricObjectWithValues<MetricValue<string>>;

const sumWhere = (m: Values, pred: (labels: Record<string, string | number>) => boolean) =>
  m.values.filter((v) => pred(v.labels as Record<string, string | number>)).reduce((n, v) => n + v.value, 0);

async function buckets(h: Histogram<string>): Promise<Buckets> {
  const m = (await h.get()) as MetricObjectWithValues<MetricValueWithName<string>>;
  const rows = m.values.filter((v) => v.metricName?.endsWith('_bucket'));
  const le = (v: MetricValueWithName<string>) => {
    const raw = (v.labels as Record<string, string | number>).le;
    return raw === '+Inf' ? Infinity : Number(raw);
  };
  return { bounds: rows.map(le), cumulative: rows.map((v) => v.value) };
}

/** Reads the same Metrics instance /metrics serializes (metric.get() runs the gauges' collect callbacks too). */
export async function readMetrics(metrics: Metrics, atMs: number): Promise<Reading> {
  const [ingest, overloaded, reconnects, syncFailures, sessions, staleRatio, backlog, eventToUi, lockWait, rollupLag] = await Promise.all([
    metrics.ingestEvents.get(),
    metrics.ingestOverloaded.get(),
    metrics.wsReconnectAttempts.get(),
    metrics.syncFailures.get(),
    metrics.wsConnectedSessions.get(),
    metrics.staleSessionsRatio.get(),
    metrics.rollupBacklog.get(),
    buckets(metrics.eventToUiLatency),
    buckets(metrics.sqliteWriteLockWait),
    buckets(metrics.rollupLag),
  ]);
  const failures = new Map<string, number>();
  for (const v of syncFailures.values) {
    const module = String((v.labels as Record<string, string | number>).module ?? '');
    failures.set(module, (failures.get(module) ?? 0) + v.value);
  }
  return {
    atMs,
    ingestAccepted: sumWhere(ingest, (l) => l.result === 'accepted'),
    ingestDuplicate: sumWhere(ingest, (l) => l.result === 'duplicate'),
    ingestRejected: sumWhere(ingest, (l) => l.result === 'rejected'),
    ingestRefused: sumWhere(overloaded, () => true),
    reconnects: sumWhere(reconnects, () => true),
    reconnectsRecovered: sumWhere(reconnects, (l) => l.recovered === 'true'),
    syncFailures: failures,
    sessions: sessions.values[0]?.value ?? 0,
    staleRatio: staleRatio.values[0]?.value ?? 0,
    rollupBacklog: backlog.values[0]?.value ?? 0,
    eventToUi,
    lockWait,
    rollupLag,
  };
}
