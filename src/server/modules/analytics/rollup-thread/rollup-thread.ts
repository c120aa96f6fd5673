import type { Worker } from 'node:worker_threads';
import type { AnalyticsUpdatedMessage } from '../../../../contracts/index.js';
import { WriteTurn } from '../../../db/write-turn.js';
import type { Logger } from '../../../observability/logger.js';
import { recordSpan } from '../../../observability/tracing.js';
import { startWorkerModule } from '../../../worker-module.js';
import type { RollupObserver, RollupRunner } from '../rollup.job.js';
import { deserializeError, type FromWorker, type RollupWorkerData, type ToWorker } from './messages.js';

/**
 * The agent-metrics rollup on a worker thread with its own SQLite connection (the embedded default): a catch-up after
 * a bulk import no longer holds up the main thread's HTTP requests, and under steady ingestion the fold runs beside
 * the writer instead of between its commits. Figures, spans and analytics_updated pushes come back as messages.
 */
export class RollupThread implements RollupRunner {
  private thread: Worker | null = null;
  private readonly calls = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private readonly updated = new Set<(msg: AnalyticsUpdatedMessage) => void>();
  private readonly rounds = new Set<(events: number, durationMs: number) => void>();
  private nextId = 1;
  private exited: Error | null = null;

  constructor(
    private readonly data: RollupWorkerData,
    private readonly hooks: { logger: Logger; observer: RollupObserver; onLockWait?: ((ms: number) => void) | undefined },
  ) {}

  /** The thread starts when first asked for work: a CLI command that never folds never pays for it. */
  private get worker(): Worker {
    if (this.thread) return this.thread;
    const worker = startWorkerModule(import.meta.url, 'rollup-worker', this.data);
    worker.on('message', (m: FromWorker) => this.receive(m));
    worker.on('error', (err) => this.hooks.logger.error({ err }, 'the analytics rollup worker failed'));
    worker.on('exit', (code) => {
      // A worker that died holding the write turn must not leave this thread's writes waiting for it.
      WriteTurn.releaseAbandoned(this.data.writeTurn);
      this.exited = new Error(`the analytics rollup worker exited (code ${code})`);
      for (const c of this.calls.values()) c.reject(this.exited);
      this.calls.clear();
    });
    return (this.thread = worker);
  }

  start(): void {
    this.send({ type: 'start' });
  }

  kick(): void {
    this.send({ type: 'kick' });
  }

  drain(): Promise<void> {
    return this.call('drain');
  }

  stop(): Promise<void> {
    return this.thread ? this.call('stop') : Promise.resolve();
  }

  async close(): Promise<void> {
    if (!this.thread) return;
    if (!this.exited) await this.call('close').catch(() => undefined);
    await this.thread.terminate();
  }

  onUpdated(listener: (msg: AnalyticsUpdatedMessage) => void): () => void {
    this.updated.add(listener);
    return () => this.updated.delete(listener);
  }

  onRound(listener: (events: number, durationMs: number) => void): () => void {
    this.rounds.add(listener);
    return () => this.rounds.delete(listener);
  }

  private send(m: ToWorker): void {
    if (!this.exited) this.worker.postMessage(m);
  }

  private call(type: 'drain' | 'stop' | 'close'): Promise<void> {
    if (this.exited) return type === 'drain' ? Promise.reject(this.exited) : Promise.resolve();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.worker.postMessage({ type, id } satisfies ToWorker);
    });
  }

  private receive(m: FromWorker): void {
    const { observer } = this.hooks;
    switch (m.type) {
      case 'done': {
        const c = this.calls.get(m.id);
        this.calls.delete(m.id);
        if (m.error) c?.reject(deserializeError(m.error));
        else c?.resolve();
        return;
      }
      case 'updated':
        for (const l of this.updated) l(m.msg);
        return;
      case 'round':
        for (const l of this.rounds) l(m.events, m.durationMs);
        return;
      case 'batch':
        return observer.onBatch?.(m.lagMs, m.events, m.durationMs);
      case 'backlog':
        return observer.onBacklog?.(m.events);
      case 'lockWait':
        return this.hooks.onLockWait?.(m.ms);
      case 'span':
        return recordSpan('analytics.rollup', m.startedEpochMs - performance.timeOrigin, m.figures, {
          root: true,
          ...(m.error ? { error: deserializeError(m.error) } : {}),
        });
    }
  }
}
