import { describe, expect, it } from 'vitest';
import { histogramQuantile } from '../../src/server/modules/status/histogram-quantile.js';
import type { Reading } from '../../src/server/modules/status/metric-reader.js';
import { decodeSample, emptyValues, encodeSample, foldSamples } from '../../src/server/modules/status/sample-codec.js';
import { SliWindow } from '../../src/server/modules/status/sli-window.js';

const bounds = [10, 100, 1000, Infinity];

function reading(atMs: number, cumulative: number[], accepted = 0): Reading {
  const h = { bounds, cumulative };
  const none = { bounds, cumulative: [0, 0, 0, 0] };
  return {
    atMs,
    ingestAccepted: accepted,
    ingestDuplicate: 0,
    ingestRejected: 0,
    ingestRefused: 0,
    reconnects: 0,
    reconnectsRecovered: 0,
    syncFailures: new Map(),
    sessions: 0,
    staleRatio: 0,
    rollupBacklog: 0,
    eventToUi: h,
    lockWait: none,
    rollupLag: none,
  };
}

describe('status SLIs: the building blocks', () => {
  it('interpolates quantiles inside buckets as histogram_quantile does; nothing observed is null, the +Inf bucket a floor', () => {
    expect(histogramQuantile(0.5, { bounds, cumulative: [0, 0, 0, 0] })).toBeNull();
    // 10 observations, all in (10, 100]: the median is half-way.
    expect(histogramQuantile(0.5, { bounds, cumulative: [0, 10, 10, 10] })).toBe(55);
    expect(histogramQuantile(0.5, { bounds, cumulative: [4, 4, 4, 4] })).toBe(5);
    expect(histogramQuantile(0.99, { bounds, cumulative: [0, 0, 1, 10] })).toBe(1000);
  });

  it('percentiles cover the trailing window only; rates the last interval; unknown is null', () => {
    const w = new SliWindow(60_000);
    const first = w.push(reading(0, [0, 5, 5, 5]));
    // Younger than the window: everything since the process started.
    expect(first.event_to_ui_p50_ms).toBe(55);
    expect(first.ingest_events_per_s).toBeNull();
    expect(first.stale_session_ratio).toBeNull();
    const second = w.push(reading(10_000, [0, 5, 15, 15], 50));
    expect(second.ingest_events_per_s).toBe(5);
    w.push(reading(60_000, [0, 5, 15, 15], 50));
    // At 70 s the base is the reading at 10 s: only what came after it counts, and nothing did.
    const later = w.push(reading(70_000, [0, 5, 15, 15], 50));
    expect(later.event_to_ui_p95_ms).toBeNull();
    expect(later.ingest_events_per_s).toBe(0);
  });

  it('folds a bucket: the peak for what should stay low, the weighted mean for rates; unknowns are skipped', () => {
    const a = { ...emptyValues(), event_to_ui_p95_ms: 100, ingest_events_per_s: 2 };
    const b = { ...emptyValues(), event_to_ui_p95_ms: 300, ingest_events_per_s: 4 };
    const f = foldSamples([{ values: a, samples: 1 }, { values: b, samples: 3 }, { values: emptyValues() }]);
    expect(f.event_to_ui_p95_ms).toBe(300);
    expect(f.ingest_events_per_s).toBe(3.5);
    expect(f.rollup_lag_p95_ms).toBeNull();
  });

  it('reads rows of other builds: unknown keys dropped, missing ones null, garbage null', () => {
    const body = decodeSample(
      JSON.stringify({ v: { ws_sessions: 3, retired_sli: 9, stale_session_ratio: 'x' }, e: { workflow: '2026-01-01T00:00:00.000Z', nope: 'x' } }),
    );
    expect(body.values.ws_sessions).toBe(3);
    expect(body.values.stale_session_ratio).toBeNull();
    expect(body.values.event_to_ui_p95_ms).toBeNull();
    expect(body.lastEventAt).toEqual({ workflow: '2026-01-01T00:00:00.000Z' });
    expect(decodeSample(encodeSample({ values: { ...emptyValues(), stale_modules: 0 } })).values.stale_modules).toBe(0);
    expect(decodeSample('not json').values.ws_sessions).toBeNull();
  });
});
