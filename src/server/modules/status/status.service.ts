import {
  COARSE_BUCKET_MS,
  FINE_BUCKET_MS,
  SLI_KEYS,
  STATUS_WINDOW_MS,
  type SliKey,
  type StatusResponse,
  type StatusSeries,
  type StatusWindow,
} from '../../../contracts/index.js';
import type { Clock } from '../../clock.js';
import type { DatabaseHandle } from '../../db/handle.js';
import type { Metrics } from '../../observability/metrics.js';
import { consistencyRunsRepository } from '../consistency/index.js';
import type { SyncService } from '../sync/index.js';
import type { LastEventTimes } from './last-events.js';
import { readMetrics } from './metric-reader.js';
import { decodeSample, foldSamples, type SliValues } from './sample-codec.js';
import { moduleState, sloStates } from './slo-states.js';
import { COARSE, RAW, sliSamplesRepository } from './sli-samples.repository.js';

export interface StatusServiceDeps {
  db: DatabaseHandle;
  clock: Clock;
  metrics: Metrics;
  sync: SyncService;
  lastEvents: LastEventTimes;
  sampleIntervalMs: number;
  serverStartedAt: Date;
}

/** A sample older than this many intervals no longer speaks for now. */
const STALE_AFTER_INTERVALS = 3;

/**
 * GET /status: the newest sample's SLIs, the objectives' states, the live freshness per module (the sync view), the
 * last consistency check, the counters since start straight from the registry, and the window's series from the
 * samples table (raw samples in 10-second slots for 15 minutes, the sampler's 5-minute buckets for 24 hours).
 */
export class StatusService {
  constructor(private readonly d: StatusServiceDeps) {}

  async status(window: StatusWindow): Promise<StatusResponse> {
    const { db, clock } = this.d;
    const now = clock.now();
    const [latest, sync, check, reading, series] = await Promise.all([
      sliSamplesRepository.latest(db.read, RAW),
      this.d.sync.status(),
      consistencyRunsRepository.latest(db.read),
      readMetrics(this.d.metrics, now.getTime()),
      this.series(window, now),
    ]);
    const ageMs = latest ? now.getTime() - Date.parse(latest.at) : Infinity;
    const sampleStale = latest !== undefined && ageMs > STALE_AFTER_INTERVALS * this.d.sampleIntervalMs;
    const current = latest ? decodeSample(latest.valuesJson).values : null;
    const noSample = latest ? `no sample since ${latest.at}: sampling has stopped` : 'no sample has been taken yet';
    return {
      generatedAt: now.toISOString(),
      window,
      sampleIntervalMs: this.d.sampleIntervalMs,
      resolutionMs: series.resolutionMs,
      serverStartedAt: this.d.serverStartedAt.toISOString(),
      lastSampleAt: latest?.at ?? null,
      sampleStale,
      database: db.dialect,
      slos: sloStates({
        now,
        values: sampleStale ? null : current,
        noSample,
        modules: sync.modules,
        consistency: check ?? null,
      }),
      current: current ?? (Object.fromEntries(SLI_KEYS.map((k) => [k, null])) as SliValues),
      totals: {
        ingestAccepted: reading.ingestAccepted,
        ingestDuplicate: reading.ingestDuplicate,
        ingestRejected: reading.ingestRejected,
        ingestRefused: reading.ingestRefused,
        wsReconnects: reading.reconnects,
        wsReconnectsRecovered: reading.reconnectsRecovered,
        eventToUiAcks: reading.eventToUi.cumulative.at(-1) ?? 0,
        syncFailures: [...reading.syncFailures.values()].reduce((n, v) => n + v, 0),
      },
      modules: sync.modules.map((m) => ({
        module: m.module,
        syncStatus: m.status,
        lastEventAt: this.d.lastEvents.get(m.module),
        lastSuccessfulSyncAt: m.lastSuccessfulSyncAt,
        lastAttemptAt: m.lastAttemptAt,
        isStale: m.isStale,
        reason: m.reason,
        sources: m.sources.length,
        failuresSinceStart: reading.syncFailures.get(m.module) ?? 0,
        state: moduleState(m, now),
      })),
      consistency: check
        ? {
            startedAt: check.startedAt,
            finishedAt: check.finishedAt,
            durationMs: check.durationMs,
            result: check.result,
            findings: check.findings,
            trigger: check.trigger,
          }
        : null,
      series: series.series,
    };
  }

  /** Every slot of the window, oldest first; a slot without samples is null everywhere (a gap, never a zero). */
  private async series(window: StatusWindow, now: Date): Promise<{ resolutionMs: number; series: StatusSeries }> {
    const coarse = window === '24h';
    const res = coarse ? COARSE_BUCKET_MS : Math.max(FINE_BUCKET_MS, this.d.sampleIntervalMs);
    const slots = Math.ceil(STATUS_WINDOW_MS[window] / res);
    const last = Math.floor(now.getTime() / res) * res;
    const first = last - (slots - 1) * res;
    const rows = await sliSamplesRepository.range(this.d.db.read, coarse ? COARSE : RAW, new Date(first).toISOString(), new Date(last + res).toISOString());
    const bySlot = new Map<number, { values: SliValues; samples: number }[]>();
    for (const r of rows) {
      const slot = Math.floor(Date.parse(r.at) / res) * res;
      const list = bySlot.get(slot) ?? [];
      list.push({ values: decodeSample(r.valuesJson).values, samples: r.samples });
      bySlot.set(slot, list);
    }
    const x: number[] = [];
    const samples: number[] = [];
    const values = Object.fromEntries(SLI_KEYS.map((k) => [k, [] as (number | null)[]])) as Record<SliKey, (number | null)[]>;
    for (let t = first; t <= last; t += res) {
      const here = bySlot.get(t) ?? [];
      const folded = here.length > 0 ? foldSamples(here) : null;
      x.push(t);
      samples.push(here.reduce((n, h) => n + h.samples, 0));
      for (const k of SLI_KEYS) values[k].push(folded ? folded[k] : null);
    }
    return { resolutionMs: res, series: { x, samples, values } };
  }
}
