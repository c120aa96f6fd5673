import type { AnalyticsUpdatedMessage } from '../../../contracts/index.js';
import { DAY_MS } from '../../../contracts/time.js';
import type { Clock } from '../../clock.js';
import type { DatabaseHandle, Executor } from '../../db/handle.js';
import { withWriteTransaction, type WriteTransactionOptions } from '../../db/write-transaction.js';
import type { Logger } from '../../observability/logger.js';
import { detached, recordSpan } from '../../observability/tracing.js';
import { eventsRepository } from '../events/data.js';
import { analyticsRepository as repo } from './analytics.repository.js';
import { bucketOf, decodeDayKey, encodeDayKey } from './buckets.js';
import type { OutlierSettings } from './outlier-settings.js';
import { scoreDays, scoreFinishedDay } from './outliers.js';
import { rollupBatch } from './rollup-batch.js';
import { HistoryCache } from './history-cache.js';

export const ROLLUP_CHECKPOINT = 'agent-metrics';
/** Day buckets whose outliers await rescoring, kept with the metrics they depend on so a crash cannot lose them. */
const PENDING_DAYS = 'agent-outliers-pending';
/** Days rescored per transaction, so a long backlog of them is scored in short slices too. */
const DAYS_PER_SLICE = 40;
const MIN_BATCH = 50;

export interface RollupJobOptions {
  /** Most events folded per transaction. */
  batchSize: number;
  /**
   * Target time of one transaction. SQLite work is synchronous, so a round blocks the event loop (and ingestion's
   * write lock) while it runs: the batch size adapts so that catching up with a bulk import happens in short slices
   * that HTTP requests interleave with, instead of freezing the server.
   */
  sliceMs: number;
  /** Fallback poll, for events committed by another process sharing the database. */
  pollIntervalMs: number;
  /**
   * Least time between the end of one round and the next: under steady ingestion, rounds then fold larger batches
   * and hold the write lock less often, for a bounded extra lag.
   */
  minIntervalMs: number;
  outliers: OutlierSettings;
  transaction: WriteTransactionOptions;
  /** Let waiting reads run between a batch's steps: needed on the thread that serves HTTP, not on a worker. */
  yieldBetweenSteps?: boolean;
  /**
   * Whether the other writer (ingestion) is waiting for the write lock, asked as a transaction ends. While it is not,
   * a catch-up may fold UNCONTENDED_FACTOR times as much per transaction: the slice bounds how long an ingest waits
   * behind the rollup, and nobody is waiting. Without it (one thread for both), every slice is short.
   */
  othersWaiting?: () => boolean;
}

/** How much longer, and larger, a transaction may be while no other writer waits (issue 17's catch-up rate). */
const UNCONTENDED_FACTOR = 3;

export interface RollupObserver {
  /** ms from ingestion of the oldest event in a batch to the batch's commit; how long the batch's transaction took. */
  onBatch?(lagMs: number, events: number, durationMs: number): void;
  onBacklog?(events: number): void;
  /**
   * Records a round's analytics.rollup span (`startedAtMs` on this thread's performance clock). A job on a worker
   * thread hands it to the main thread, where tracing lives; by default it is recorded here.
   */
  recordRound?(startedAtMs: number, figures: Record<string, number>, error: unknown): void;
}

/** What runs the rollup: the job itself on this thread, or a RollupThread driving one on a worker thread. */
export interface RollupRunner {
  start(): void;
  /** Asks for a round; coalesces with one already running. */
  kick(): void;
  /** Resolves once everything committed so far is folded in (tests and the benches wait on this). */
  drain(): Promise<void>;
  stop(): Promise<void>;
  /** Stops for good and lets go of what it holds (a worker thread and its connection). */
  close(): Promise<void>;
  onUpdated(listener: (msg: AnalyticsUpdatedMessage) => void): () => void;
  /** Told each batch's size and transaction time (bench:rollup). */
  onRound(listener: (events: number, durationMs: number) => void): () => void;
}

/**
 * The agent-metrics rollup. It follows domain_events by id from a checkpoint kept in the same transaction as the
 * metrics it writes, so a crash repeats nothing and skips nothing. Woken after each commit (and by a slow poll), it
 * runs one batch at a time; events arriving meanwhile are picked up by the next round.
 */
export class AgentRollupJob implements RollupRunner {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private through = 0;
  private lastRoundEnd = 0;
  private size: number;
  private delayed: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(msg: AnalyticsUpdatedMessage) => void>();
  private readonly rounds = new Set<(events: number, durationMs: number) => void>();
  private readonly histories = new HistoryCache();

  constructor(
    private readonly db: DatabaseHandle,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly opts: RollupJobOptions,
    private readonly observer: RollupObserver = {},
  ) {
    this.size = Math.min(opts.batchSize, MIN_BATCH * 8);
  }

  /** Told after each committed batch which buckets changed (the gateway forwards it to the `agent` topic). */
  onUpdated(listener: (msg: AnalyticsUpdatedMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onRound(listener: (events: number, durationMs: number) => void): () => void {
    this.rounds.add(listener);
    return () => this.rounds.delete(listener);
  }

  close(): Promise<void> {
    return this.stop();
  }

  get throughEventId(): number {
    return this.through;
  }

  start(): void {
    this.stopped = false;
    clearInterval(this.timer);
    this.timer = setInterval(() => this.kick(), this.opts.pollIntervalMs);
    this.timer.unref();
    this.kick();
  }

  /** Asks for a round; coalesces with one already running. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    const wait = this.lastRoundEnd + this.opts.minIntervalMs - performance.now();
    if (wait > 0) {
      this.delayed ??= setTimeout(() => {
        this.delayed = undefined;
        this.kick();
      }, wait);
      return;
    }
    // Kicked from inside an ingest's publish: the round is its own work, not part of that request's trace.
    this.running = detached(() => this.loop()).finally(() => {
      this.running = null;
      this.lastRoundEnd = performance.now();
      if (this.again && !this.stopped) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Runs until everything committed so far is folded in (tests and the bench wait on this). */
  async drain(): Promise<void> {
    while (this.running) await this.running;
    await this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.delayed);
    this.delayed = undefined;
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    const started = performance.now();
    const done = { events: 0, batches: 0, days: 0 };
    let failed: unknown;
    try {
      for (;;) {
        if (this.stopped) return;
        const n = await this.runBatch();
        if (n === 0) break;
        done.events += n;
        done.batches++;
        // Let queued requests and the ingestion writer in between batches.
        await new Promise((r) => setImmediate(r));
      }
      // Outliers once the log is folded in: during a catch-up the same days would otherwise be rescored every batch.
      for (let d = 0; !this.stopped && (d = await this.scorePendingDays()) > 0; done.days += d) await new Promise((r) => setImmediate(r));
      const head = await eventsRepository.headEventId(this.db.read);
      this.observer.onBacklog?.(Math.max(0, head - this.through));
    } catch (err) {
      failed = err;
      this.logger.error({ err }, 'agent metrics rollup failed; retrying on the next round');
    } finally {
      // One analytics.rollup span per round that folded or scored something (or failed), written at its end: the idle
      // polls (every rollupPollMs) would otherwise fill a trace backend with empty rounds.
      if (failed !== undefined || done.events > 0 || done.days > 0) {
        const figures = {
          'bmad.rollup.events': done.events,
          'bmad.rollup.batches': done.batches,
          'bmad.rollup.days_scored': done.days,
          'bmad.rollup.through_event_id': this.through,
        };
        if (this.observer.recordRound) this.observer.recordRound(started, figures, failed);
        else recordSpan('analytics.rollup', started, figures, { root: true, ...(failed === undefined ? {} : { error: failed }) });
      }
    }
  }

  /** Rescores the outliers of up to DAYS_PER_SLICE pending days; returns how many it scored. */
  async scorePendingDays(): Promise<number> {
    const now = this.clock.now().toISOString();
    const scored = await withWriteTransaction(this.db, this.opts.transaction, async (trx) => {
      const pending = JSON.parse((await repo.checkpoint(trx, PENDING_DAYS)).value ?? '[]') as string[];
      if (pending.length === 0) return [];
      const slice = pending.slice(0, DAYS_PER_SLICE).map(decodeDayKey);
      await scoreDays(trx, slice, { now, outliers: this.opts.outliers });
      await repo.saveCheckpoint(trx, PENDING_DAYS, 0, JSON.stringify(pending.slice(DAYS_PER_SLICE)), now);
      return slice;
    });
    if (scored.length > 0) {
      const starts = scored.map((d) => d.dayStart).sort();
      const msg: AnalyticsUpdatedMessage = {
        type: 'analytics_updated',
        throughEventId: this.through,
        from: starts[0]!,
        to: bucketOf(starts[starts.length - 1]!, 'day').end,
      };
      for (const l of this.listeners) l(msg);
    }
    return scored.length;
  }

  /** Folds the next batch; returns how many events it read (0 when caught up). */
  async runBatch(): Promise<number> {
    const started = performance.now();
    const now = this.clock.now().toISOString();
    const ctx = { now, outliers: this.opts.outliers, histories: this.histories, yieldBetweenSteps: this.opts.yieldBetweenSteps !== false };
    const size = this.size;
    const fold = async (trx: Executor) => {
      const cp = await repo.checkpoint(trx, ROLLUP_CHECKPOINT);
      const events = await eventsRepository.headersAfter(trx, cp.lastEventId, size);
      // A day that has just ended gets its history scores once, whatever else happens.
      const finished = bucketOf(Date.parse(now) - DAY_MS, 'day').start;
      if (cp.value !== finished) await scoreFinishedDay(trx, finished, ctx);
      if (events.length === 0) {
        if (cp.value !== finished) await repo.saveCheckpoint(trx, ROLLUP_CHECKPOINT, cp.lastEventId, finished, now);
        return { read: 0, through: cp.lastEventId, result: null, oldestIngest: null };
      }
      const result = await rollupBatch(trx, events, ctx);
      const through = events[events.length - 1]!.id;
      await repo.saveCheckpoint(trx, ROLLUP_CHECKPOINT, through, finished, now);
      if (result.days.length > 0) {
        const pending = await repo.checkpoint(trx, PENDING_DAYS);
        const days = new Set<string>([...(JSON.parse(pending.value ?? '[]') as string[]), ...result.days.map(encodeDayKey)]);
        await repo.saveCheckpoint(trx, PENDING_DAYS, 0, JSON.stringify([...days]), now);
      }
      const oldestIngest = events.reduce((m, e) => (e.ingestedAt < m ? e.ingestedAt : m), events[0]!.ingestedAt);
      return { read: events.length, through, result, oldestIngest };
    };
    // Asked while this transaction still holds the write lock: whoever wants it now is waiting for it.
    const done = await withWriteTransaction(this.db, this.opts.transaction, async (trx) => ({
      ...(await fold(trx)),
      uncontended: this.opts.othersWaiting ? !this.opts.othersWaiting() : false,
    }));
    this.through = done.through;
    const took = performance.now() - started;
    const uncontended = done.uncontended;
    const slice = uncontended ? this.opts.sliceMs * UNCONTENDED_FACTOR : this.opts.sliceMs;
    const most = uncontended ? this.opts.batchSize * UNCONTENDED_FACTOR : this.opts.batchSize;
    // A round has a fixed cost (the buckets and days it touches) besides its per-event cost: grow while under the
    // target so that cost is shared by more events, shrink only when well over it. An ingest waiting behind a long
    // uncontended round brings the next one back to the short slice at once.
    if (took > 2 * slice) this.size = Math.max(MIN_BATCH, Math.floor(size / 2));
    else if (!uncontended && took > this.opts.sliceMs) this.size = Math.max(MIN_BATCH, Math.floor((size * this.opts.sliceMs) / took));
    else if (took < 0.75 * slice && done.read === size) this.size = Math.min(most, size * 2);
    this.size = Math.min(this.size, most);
    if (done.read > 0) {
      for (const l of this.rounds) l(done.read, took);
      if (done.oldestIngest) this.observer.onBatch?.(Math.max(0, this.clock.now().getTime() - Date.parse(done.oldestIngest)), done.read, took);
      if (done.result?.from && done.result.to) {
        const msg: AnalyticsUpdatedMessage = {
          type: 'analytics_updated',
          throughEventId: done.through,
          from: done.result.from,
          to: bucketOf(done.result.to, 'day').end,
        };
        for (const l of this.listeners) l(msg);
      }
    }
    return done.read;
  }
}
