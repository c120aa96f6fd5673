import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { DatabaseHandle, Executor } from '../../db/handle.js';
import { withWriteTransaction } from '../../db/write-transaction.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { retentionRepository } from './retention.repository.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface PruneReport {
  boundary: number;
  deleted: number;
  batches: number;
}

/**
 * BMAD_OPS_RETENTION_DAYS: events ingested longer ago are deleted, a small window per write transaction with a pause
 * between, so ingestion waits at most one window's delete. Read models and rollups are left as they are (they are the
 * figures; events are their evidence); events a read model row still references stay. Once an event is gone its id
 * can no longer be replayed: the gateway sends a snapshot to a client behind the pruned point, and lineage counts what
 * was pruned. An event re-sent after its original was pruned is accepted again (idempotency lasts as long as retention).
 */
/**
 * The ids in (after, through] of events a module's read model still points to (a run's transition, a cost, a cost
 * report): each owning module answers from its own table, and those events are kept.
 */
export type EventReferences = (db: Executor, after: number, through: number) => Promise<readonly number[]>;

export class RetentionService {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<PruneReport> | undefined;
  private stopped = false;

  constructor(
    private readonly db: DatabaseHandle,
    private readonly clock: Clock,
    private readonly opts: Config['retention'],
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly references: readonly EventReferences[],
  ) {}

  start(): void {
    if (this.opts.days === 0) return;
    // A lease may move away and back: a stopped service starts again.
    this.stopped = false;
    const tick = () => void this.pruneOnce().catch((err: unknown) => this.logger.warn({ err }, 'event retention pass failed; retried at the next interval'));
    tick();
    this.timer = setInterval(tick, this.opts.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass (a pass already under way is joined, not doubled). */
  pruneOnce(): Promise<PruneReport> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Deletes one window of old events but those a read model still references: the figures keep their lineage. */
  private async pruneWindow(trx: Executor, after: number, boundary: number): Promise<{ through: number; deleted: number }> {
    const through = await retentionRepository.windowEnd(trx, after, boundary, this.opts.batchSize);
    const keep = new Set((await Promise.all(this.references.map((refs) => refs(trx, after, through)))).flat());
    return { through, deleted: await retentionRepository.deleteWindow(trx, after, through, keep) };
  }

  private async pass(): Promise<PruneReport> {
    const cutoff = new Date(this.clock.now().getTime() - this.opts.days * 86_400_000).toISOString();
    const boundary = await retentionRepository.boundaryBefore(this.db.read, cutoff);
    let cursor = await retentionRepository.prunedThrough(this.db.read);
    let deleted = 0;
    let batches = 0;
    while (!this.stopped && cursor < boundary) {
      const from = cursor;
      const r = await withWriteTransaction(this.db, { maxRetries: 30, retryDelayMs: 20 }, (trx) => this.pruneWindow(trx, from, boundary));
      cursor = r.through;
      deleted += r.deleted;
      batches++;
      this.metrics.eventsPruned.inc(r.deleted);
      // SQLite calls are synchronous: without a real turn of the event loop between windows, requests waiting on
      // their sockets would not run until the whole pass ended.
      await (this.opts.pauseMs > 0 ? sleep(this.opts.pauseMs) : new Promise<void>((r) => setImmediate(r)));
    }
    if (deleted > 0) this.logger.info({ deleted, boundary, batches, cutoff }, 'old events pruned (BMAD_OPS_RETENTION_DAYS)');
    return { boundary, deleted, batches };
  }
}
