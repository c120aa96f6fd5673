import type { Worker } from 'node:worker_threads';
import type { IncomingEvent } from '../../../../contracts/index.js';
import { WriteTurn } from '../../../db/write-turn.js';
import type { Logger } from '../../../observability/logger.js';
import { startWorkerModule } from '../../../worker-module.js';
import { storedOf, type AppendOutcome, type CommittedRound, type RoundCommitter, type RoundOrigin } from '../round-commit.js';
import { fromWriterError, WriterThreadExitedError, type FromWriter, type ToWriter, type WriterWorkerData } from './messages.js';

interface Call {
  resolve: (answer: { outcomes: AppendOutcome[]; recordedAt: string } | undefined) => void;
  reject: (err: Error) => void;
}

/** Exits in a row, with no round committed between them, after which the thread is not started again. */
const MAX_EXITS_IN_A_ROW = 3;

/**
 * The event writer's rounds on a worker thread with its own SQLite connection (the embedded default). The main thread
 * keeps the queue, the grouping of requests into rounds, the answers and the publishing; the thread runs each round's
 * transaction. A thread that dies is started again for the next round; the round it held fails (see EventWriter).
 * One that keeps dying (it cannot open the database, say) is given up: rounds then commit on the main thread.
 */
export class WriterThread implements RoundCommitter {
  private thread: Worker | null = null;
  private readonly calls = new Map<number, Call>();
  private nextId = 1;
  private closing = false;
  private exitsInARow = 0;

  constructor(
    private readonly data: WriterWorkerData,
    private readonly hooks: { logger: Logger; onLockWait?: ((ms: number) => void) | undefined },
  ) {}

  get usable(): boolean {
    return this.exitsInARow < MAX_EXITS_IN_A_ROW;
  }

  warm(): void {
    if (!this.closing && this.usable) void this.worker;
  }

  /** The thread starts with the first round or warm(): a CLI command that never appends never pays for it. */
  private get worker(): Worker {
    if (this.thread) return this.thread;
    const worker = startWorkerModule(import.meta.url, 'writer-worker', this.data);
    worker.on('message', (m: FromWriter) => this.receive(m));
    worker.on('error', (err) => this.hooks.logger.error({ err }, 'the writer thread failed'));
    worker.on('exit', (code) => {
      // A thread that died holding the write turn, or waiting for it, must not leave the other writers waiting.
      WriteTurn.releaseAbandoned(this.data.writeTurn, 'writer');
      if (this.thread === worker) this.thread = null;
      if (this.closing) return this.failCalls(new WriterThreadExitedError('the server is shutting down'));
      this.exitsInARow++;
      if (this.usable) this.hooks.logger.error({ code }, 'the writer thread exited: the next round starts a new one');
      else this.hooks.logger.error({ code, exits: this.exitsInARow }, 'the writer thread keeps exiting: rounds commit on the main thread from now on');
      this.failCalls(new WriterThreadExitedError(`exit code ${code}`));
    });
    return (this.thread = worker);
  }

  async commit(events: readonly IncomingEvent[], hashes: readonly string[], origins: readonly RoundOrigin[], recordedAt: string): Promise<CommittedRound> {
    if (this.closing) throw new WriterThreadExitedError('the server is shutting down');
    const answer = (await this.call((id) => ({ type: 'commit', id, events, hashes, origins, recordedAt })))!;
    this.exitsInARow = 0;
    return { outcomes: answer.outcomes, stored: storedOf(events, answer.outcomes, answer.recordedAt) };
  }

  async close(): Promise<void> {
    this.closing = true;
    const worker = this.thread;
    if (!worker) return;
    await this.call((id) => ({ type: 'close', id })).catch(() => undefined);
    await worker.terminate();
  }

  private failCalls(err: Error): void {
    for (const c of this.calls.values()) c.reject(err);
    this.calls.clear();
  }

  private call(message: (id: number) => ToWriter): Promise<{ outcomes: AppendOutcome[]; recordedAt: string } | undefined> {
    const worker = this.worker;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      worker.postMessage(message(id));
    });
  }

  private receive(m: FromWriter): void {
    const call = this.calls.get(m.id);
    this.calls.delete(m.id);
    if (m.type !== 'closed' && m.lockWaitMs !== null) this.hooks.onLockWait?.(m.lockWaitMs);
    if (m.type === 'committed') call?.resolve({ outcomes: m.outcomes, recordedAt: m.recordedAt });
    else if (m.type === 'failed') call?.reject(fromWriterError(m.error));
    else call?.resolve(undefined);
  }
}
