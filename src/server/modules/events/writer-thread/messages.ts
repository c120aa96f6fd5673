import type { IncomingEvent } from '../../../../contracts/index.js';
import type { PricingFile } from '../../../pricing/pricing-table.js';
import { WriteLockTimeoutError } from '../../../db/write-transaction.js';
import type { AppendOutcome, RoundOrigin } from '../round-commit.js';

/** What the writer's thread needs: plain data, since functions do not cross threads. */
export interface WriterWorkerData {
  file: string;
  busyTimeoutMs: number;
  /** The WriteTurn every thread's write connection takes. */
  writeTurn: SharedArrayBuffer;
  /** The pricing table the main thread loaded, so both price a cost alike whatever happens to the file meanwhile. */
  pricing: PricingFile;
  transaction: { maxRetries: number; retryDelayMs: number };
  /**
   * Whether the main thread keeps the system's time: the thread then stamps each round once it holds the write lock,
   * as the main thread does. Otherwise (an injected clock) it uses the time sent with the round.
   */
  systemClock: boolean;
}

export type ToWriter =
  | { type: 'commit'; id: number; events: readonly IncomingEvent[]; hashes: readonly string[]; origins: readonly RoundOrigin[]; recordedAt: string }
  | { type: 'close'; id: number };

/** An error as it crosses: the fields the writer's callers branch on (storage failures go by `code`). */
export interface WriterError {
  name: string;
  message: string;
  code?: string;
  waitedMs?: number;
}

export type FromWriter =
  /** Outcomes only: the main thread has the events, and storedOf() rebuilds what was appended. */
  | { type: 'committed'; id: number; outcomes: AppendOutcome[]; recordedAt: string; lockWaitMs: number }
  | { type: 'failed'; id: number; error: WriterError; lockWaitMs: number | null }
  | { type: 'closed'; id: number };

export function toWriterError(err: unknown): WriterError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const code = (err as { code?: unknown }).code;
  return {
    name: err.name,
    message: err.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(err instanceof WriteLockTimeoutError ? { waitedMs: err.waitedMs } : {}),
  };
}

/** The error again, as the classes the writer and storage health recognise (WriteLockTimeoutError, `code`). */
export function fromWriterError(e: WriterError): Error {
  if (e.name === 'WriteLockTimeoutError') return new WriteLockTimeoutError(e.waitedMs ?? 0, e.message);
  const err = new Error(e.message) as Error & { code?: string };
  err.name = e.name;
  if (e.code !== undefined) err.code = e.code;
  return err;
}

/** The writer's thread ended while a round was with it: the round may or may not have committed. */
export class WriterThreadExitedError extends Error {
  constructor(detail: string) {
    super(`the writer thread stopped (${detail}); the events were not acknowledged: send them again (any already stored come back as duplicates)`);
    this.name = 'WriterThreadExitedError';
  }
}
