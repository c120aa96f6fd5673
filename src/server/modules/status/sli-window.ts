import type { SliKey } from '../../../contracts/index.js';
import { bucketDelta, histogramQuantile, type Buckets } from './histogram-quantile.js';
import type { Reading } from './metric-reader.js';

export type MetricSlis = Omit<Record<SliKey, number | null>, 'stale_modules'>;

const sum = (m: Map<string, number>) => [...m.values()].reduce((n, v) => n + v, 0);

/**
 * The readings of the last few minutes, turning cumulative counters into what the page shows: rates over the last
 * interval, and percentiles over a trailing window (bucket counts now minus bucket counts then). Kept in memory only:
 * after a restart the window starts again (the samples already taken stay in the database).
 */
export class SliWindow {
  private readings: Reading[] = [];

  constructor(private readonly windowMs: number) {}

  /** Adds a reading and returns the SLIs it gives; null wherever there is nothing to measure (no data, never 0). */
  push(r: Reading): MetricSlis {
    const previous = this.readings.at(-1);
    this.readings.push(r);
    // Keep the newest reading at or before the window's start (the base) and everything after it. Without one, the
    // process is younger than the window: its counters started at zero, so the base is zero (everything since start).
    const from = r.atMs - this.windowMs;
    while (this.readings.length > 1 && this.readings[1]!.atMs <= from) this.readings.shift();
    const base = this.readings[0]!.atMs <= from ? this.readings[0] : undefined;
    const perSecond = (now: number, before: number | undefined) => {
      if (!previous || before === undefined) return null;
      const seconds = (r.atMs - previous.atMs) / 1000;
      // A counter that went down was reset (cannot happen in one process): unknown, not negative.
      return seconds > 0 && now >= before ? (now - before) / seconds : null;
    };
    const perMinute = (now: number, before: number | undefined) => {
      const v = perSecond(now, before);
      return v === null ? null : v * 60;
    };
    const q = (h: (x: Reading) => Buckets, quantile: number) => histogramQuantile(quantile, bucketDelta(h(r), base && h(base)));
    return {
      event_to_ui_p50_ms: q((x) => x.eventToUi, 0.5),
      event_to_ui_p95_ms: q((x) => x.eventToUi, 0.95),
      event_to_ui_p99_ms: q((x) => x.eventToUi, 0.99),
      ingest_events_per_s: perSecond(r.ingestAccepted, previous?.ingestAccepted),
      ingest_rejected_per_min: perMinute(r.ingestRejected, previous?.ingestRejected),
      ingest_refused_per_min: perMinute(r.ingestRefused, previous?.ingestRefused),
      ws_sessions: r.sessions,
      ws_reconnects_per_min: perMinute(r.reconnects, previous?.reconnects),
      // The gauge says 0 with no session open; a ratio of nobody is unknown.
      stale_session_ratio: r.sessions > 0 ? r.staleRatio : null,
      write_lock_wait_p95_ms: q((x) => x.lockWait, 0.95),
      write_lock_wait_p99_ms: q((x) => x.lockWait, 0.99),
      rollup_lag_p95_ms: q((x) => x.rollupLag, 0.95),
      rollup_backlog_events: r.rollupBacklog,
      sync_failures_per_min: perMinute(sum(r.syncFailures), previous && sum(previous.syncFailures)),
    };
  }
}
