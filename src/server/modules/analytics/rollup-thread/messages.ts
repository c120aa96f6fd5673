import type { AnalyticsUpdatedMessage } from '../../../../contracts/index.js';
import type { OutlierSettings } from '../outlier-settings.js';

/** What the worker needs to run the job: plain data, since functions do not cross threads. */
export interface RollupWorkerData {
  file: string;
  busyTimeoutMs: number;
  /** The WriteTurn both threads' write connections take. */
  writeTurn: SharedArrayBuffer;
  logLevel: string;
  job: {
    batchSize: number;
    sliceMs: number;
    pollIntervalMs: number;
    minIntervalMs: number;
    outliers: OutlierSettings;
    transaction: { maxRetries: number; retryDelayMs: number };
  };
}

export type ToWorker = { type: 'start' } | { type: 'kick' } | { type: 'drain' | 'stop' | 'close'; id: number };

export interface SerializedError {
  name: string;
  message: string;
  stack?: string | undefined;
}

export type FromWorker =
  | { type: 'done'; id: number; error?: SerializedError }
  | { type: 'updated'; msg: AnalyticsUpdatedMessage }
  | { type: 'round'; events: number; durationMs: number }
  | { type: 'batch'; lagMs: number; events: number; durationMs: number }
  | { type: 'backlog'; events: number }
  | { type: 'lockWait'; ms: number }
  /** `startedEpochMs`: performance clocks differ between threads, so the span's start crosses as wall time. */
  | { type: 'span'; startedEpochMs: number; figures: Record<string, number>; error?: SerializedError };

export function serializeError(err: unknown): SerializedError {
  return err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : { name: 'Error', message: String(err) };
}

export function deserializeError(e: SerializedError): Error {
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}
