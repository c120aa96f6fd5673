import { COARSE_BUCKET_MS, QUANTILE_WINDOW_MS } from '../../../contracts/index.js';
import type { Clock } from '../../clock.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { withWriteTransaction } from '../../db/write-transaction.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { SyncService } from '../sync/index.js';
import { eventsRepository } from '../events/index.js';
import type { LastEventTimes } from './last-events.js';
import { readMetrics } from './metric-reader.js';
import { decodeSample, encodeSample, foldSamples, type SliValues } from './sample-codec.js';
import { SliWindow } from './sli-window.js';
import { COARSE, RAW, sliSamplesRepository } from './sli-samples.repository.js';

export interface SamplerOptions {
  intervalMs: number;
  retentionHours: number;
}

export interface SamplerDeps {
  db: DatabaseHandle;
  clock: Clock;
  metrics: Metrics;
  /** The per-module sync and staleness view GET /sync/status and the stale monitor use (one definition of stale). */
  sync: SyncService;
  lastEvents: LastEventTimes;
  logger: Logger;
}

/** Newest events read at start to learn each module's last event when no sample holds it yet. */
const SEED_EVENTS = 5_000;
const PRUNE_EVERY_MS = 3_600_000;

/**
 * Every interval (10 s by default, on the interval's boundaries so samples fall one per slot), reads the metrics
 * registry and the sync state, stores one raw sample and rewrites the 5-minute bucket it falls in, then tells its
 * listeners (the gateway pushes `status_updated`). Samples live in the database, so the 24-hour view survives restarts.
 */
export class SliSampler {
  private readonly window = new SliWindow(QUANTILE_WINDOW_MS);
  private readonly listeners = new Set<(sampledAt: string) => void>();
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;
  private lastPruneMs = -Infinity;
  private failing = false;

  constructor(
    private readonly d: SamplerDeps,
    private readonly opts: SamplerOptions,
  ) {}

  get intervalMs(): number {
    return this.opts.intervalMs;
  }

  onSample(fn: (sampledAt: string) => void): () => void {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }

  async start(): Promise<void> {
    await this.seedLastEvents().catch((err: unknown) => this.d.logger.warn({ err }, 'status: could not read the last events'));
    // A first sample at once: the page has current values (and gauges) from the first second.
    await this.sampleNow();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.queue;
  }

  /** Takes a sample now (after any running one): the schedule, and tests that need one at a known moment. */
  sampleNow(): Promise<void> {
    this.queue = this.queue.then(() => (this.stopped ? undefined : this.takeSample())).catch((err: unknown) => this.reportFailure(err));
    return this.queue;
  }

  private schedule(): void {
    if (this.stopped) return;
    const every = this.opts.intervalMs;
    const delay = every - (this.d.clock.now().getTime() % every);
    this.timer = setTimeout(() => {
      void this.sampleNow().then(() => this.schedule());
    }, delay);
    this.timer.unref();
  }

  private async seedLastEvents(): Promise<void> {
    const latest = await sliSamplesRepository.latest(this.d.db.read, RAW);
    if (latest) this.d.lastEvents.seed(decodeSample(latest.valuesJson).lastEventAt);
    const newest = await eventsRepository.newestByType(this.d.db.read, SEED_EVENTS);
    this.d.lastEvents.noteEvents([...newest].map(([type, ingestedAt]) => ({ type, ingestedAt })));
  }

  private async takeSample(): Promise<void> {
    const now = this.d.clock.now();
    const reading = await readMetrics(this.d.metrics, now.getTime());
    const sync = await this.d.sync.status();
    const reported = sync.modules.filter((m) => m.status !== 'unknown');
    const values: SliValues = {
      ...this.window.push(reading),
      // Modules no source has reported are not counted: their freshness is unknown, not stale (and with none, no data).
      stale_modules: reported.length === 0 ? null : reported.filter((m) => m.isStale).length,
    };
    const at = now.toISOString();
    const bucketMs = Math.floor(now.getTime() / COARSE_BUCKET_MS) * COARSE_BUCKET_MS;
    const bucket = { from: new Date(bucketMs).toISOString(), to: new Date(bucketMs + COARSE_BUCKET_MS).toISOString() };
    const prune = now.getTime() - this.lastPruneMs >= PRUNE_EVERY_MS;
    await withWriteTransaction(this.d.db, { maxRetries: 3, retryDelayMs: 25 }, async (trx) => {
      await sliSamplesRepository.put(trx, RAW, { at, samples: 1, valuesJson: encodeSample({ values, lastEventAt: this.d.lastEvents.snapshot() }) });
      // The bucket is refolded from its raw samples each time (at most 30 rows at the default interval): stateless, so
      // a restart in the middle of a bucket loses nothing.
      const raw = await sliSamplesRepository.range(trx, RAW, bucket.from, bucket.to);
      const folded = foldSamples(raw.map((r) => decodeSample(r.valuesJson)));
      await sliSamplesRepository.put(trx, COARSE, { at: bucket.from, samples: raw.length, valuesJson: encodeSample({ values: folded }) });
      if (prune) {
        const before = new Date(now.getTime() - this.opts.retentionHours * 3_600_000).toISOString();
        for (const resolution of [RAW, COARSE]) await sliSamplesRepository.pruneBefore(trx, resolution, before);
      }
    });
    if (prune) this.lastPruneMs = now.getTime();
    if (this.failing) this.d.logger.info('status: sampling works again');
    this.failing = false;
    for (const fn of this.listeners) fn(at);
  }

  /** A failed sample is skipped (the page shows the gap); said once in the log, not every ten seconds. */
  private reportFailure(err: unknown): void {
    if (!this.failing) this.d.logger.warn({ err }, 'status: an SLI sample failed; retrying at the next interval');
    this.failing = true;
  }
}
