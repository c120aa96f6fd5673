import { INGEST_LIMITS } from '../../contracts/index.js';
import { systemClock, type Clock } from '../clock.js';
import type { SimulatedEvent } from './bmad-simulator.js';

/** What the runner needs from a generator: the next events of the stream. */
export interface EventSource {
  next(count: number): SimulatedEvent[];
}

export interface RunStats {
  /** Events posted and answered (a batch retried after 429 counts once). */
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** 429 answers waited out. */
  throttled: number;
  requests: number;
  elapsedMs: number;
  /** Events that were due by the end but not sent (the server could not keep up, or the run was stopped). */
  behind: number;
  /** The first rejection, verbatim enough to fix the generator or the server. */
  firstRejection: string | undefined;
}

export interface RunOptions {
  url: string;
  key: string;
  /** Events per second. */
  rate: number;
  /** Seconds; 0 runs until `signal` aborts. */
  durationS: number;
  events: EventSource;
  signal?: AbortSignal;
  /** Events due since the last flush go out together, so a high rate becomes few large requests. */
  flushIntervalMs?: number;
  progressIntervalMs?: number;
  onProgress?: (stats: RunStats) => void;
  /** After the duration, how long events still due may take to go out before the run gives up on them. */
  drainGraceMs?: number;
  requestTimeoutMs?: number;
  maxThrottleRetries?: number;
  /** Only for Retry-After given as an HTTP date. */
  clock?: Clock;
}

/** A failure the person running the simulator has to act on; the message says what to do. */
export class SimulatorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulatorError';
  }
}

const MAX_SERVER_ERROR_RETRIES = 3;
// The simulator's events are under 1 KB each, so a full batch stays below INGEST_LIMITS.maxBytes as well.
const MAX_EVENTS_PER_REQUEST = INGEST_LIMITS.maxEvents;

interface IngestAnswer {
  accepted: number;
  duplicates: number;
  rejected: number;
  results: { status: string; index: number; code?: string; errors?: { path: string; message: string }[] }[];
}

/**
 * Posts the generator's stream to POST {url}/api/v1/events at `rate` events per second for `durationS` seconds. Events
 * are produced when they are due and sent one batch at a time; a 429 is waited out (Retry-After) and the same batch is
 * sent again, which ingestion's idempotency makes safe. Resolves with the totals; rejects with a SimulatorError when
 * the key or the server makes going on pointless.
 */
export async function runSimulation(o: RunOptions): Promise<RunStats> {
  const endpoint = `${o.url.replace(/\/+$/, '')}/api/v1/events`;
  const flushMs = o.flushIntervalMs ?? 200;
  const drainGraceMs = o.drainGraceMs ?? 10_000;
  const stats: RunStats = { sent: 0, accepted: 0, duplicates: 0, rejected: 0, throttled: 0, requests: 0, elapsedMs: 0, behind: 0, firstRejection: undefined };
  const started = performance.now();
  const endAt = o.durationS > 0 ? started + o.durationS * 1000 : Infinity;
  const progress = o.onProgress
    ? setInterval(() => {
        stats.elapsedMs = performance.now() - started;
        o.onProgress!(stats);
      }, o.progressIntervalMs ?? 2000)
    : undefined;
  progress?.unref();
  let produced = 0;
  try {
    while (!o.signal?.aborted) {
      const now = performance.now();
      // Elapsed time is capped at the duration itself, not at endAt - started: that difference of two large floats can
      // come out a hair short (1499.9999…) and floor() would then lose the last event of the run.
      const elapsed = Math.min(now - started, o.durationS > 0 ? o.durationS * 1000 : Infinity);
      const dueTotal = Math.floor((o.rate * elapsed) / 1000 + 1e-9);
      const due = dueTotal - produced;
      if (now >= endAt && (due <= 0 || now > endAt + drainGraceMs)) {
        stats.behind = Math.max(0, due);
        break;
      }
      if (due > 0) {
        const batch = o.events.next(Math.min(due, MAX_EVENTS_PER_REQUEST));
        produced += batch.length;
        const delivered = await postBatch(endpoint, o, batch, stats);
        if (!delivered) {
          stats.behind = Math.max(0, dueTotal - stats.sent);
          break;
        }
        continue;
      }
      // Sleep to the next flush, or to the moment the next single event is due when the rate is below 5/s.
      const nextDueAt = started + ((produced + 1) * 1000) / o.rate;
      await sleep(Math.max(1, Math.min(Math.max(flushMs, nextDueAt - now), endAt - now + 1)), o.signal);
    }
  } finally {
    if (progress) clearInterval(progress);
    stats.elapsedMs = performance.now() - started;
  }
  return stats;
}

/** Sends one batch until it is answered; false when the run was stopped while waiting to retry it. */
async function postBatch(endpoint: string, o: RunOptions, batch: SimulatedEvent[], stats: RunStats): Promise<boolean> {
  const body = JSON.stringify({ events: batch });
  let throttledInARow = 0;
  let serverErrors = 0;
  for (;;) {
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${o.key}` },
        body,
        signal: AbortSignal.timeout(o.requestTimeoutMs ?? 30_000),
      });
    } catch (err) {
      throw new SimulatorError(connectionProblem(o.url, err));
    }
    stats.requests++;
    const text = await res.text();
    if (res.status === 200 || res.status === 207) {
      const answer = JSON.parse(text) as IngestAnswer;
      stats.sent += batch.length;
      stats.accepted += answer.accepted;
      stats.duplicates += answer.duplicates;
      stats.rejected += answer.rejected;
      if (answer.rejected > 0 && stats.firstRejection === undefined) {
        const r = answer.results.find((x) => x.status === 'rejected');
        const event = r ? batch[r.index] : undefined;
        stats.firstRejection = `${event?.type ?? 'event'} ${event?.id ?? ''} rejected (${r?.code ?? 'unknown'}): ${(r?.errors ?? []).map((e) => `${e.path}: ${e.message}`).join('; ')}`;
      }
      return true;
    }
    const message = errorMessage(text);
    if (res.status === 429) {
      stats.throttled++;
      if (++throttledInARow > (o.maxThrottleRetries ?? 30))
        throw new SimulatorError(`${o.url} kept answering 429 (${message}) for ${throttledInARow} attempts; lower --rate`);
      if (!(await sleep(retryAfterMs(res.headers.get('retry-after'), (o.clock ?? systemClock).now().getTime()), o.signal))) return false;
      continue;
    }
    if (res.status === 401) throw new SimulatorError(`${o.url} rejected the API key (401: ${message}); check --key or BMAD_OPS_KEY`);
    if (res.status === 403) {
      throw new SimulatorError(`the API key may not ingest (403: ${message}); create one with \`bmad-ops key create --name simulator --scope ingest\``);
    }
    if (res.status >= 500 && ++serverErrors <= MAX_SERVER_ERROR_RETRIES) {
      if (!(await sleep(500 * 2 ** serverErrors, o.signal))) return false;
      continue;
    }
    throw new SimulatorError(`${endpoint} answered HTTP ${res.status}: ${message}`);
  }
}

function errorMessage(text: string): string {
  try {
    const e = (JSON.parse(text) as { error?: { message?: unknown } }).error;
    if (typeof e?.message === 'string') return e.message;
  } catch {
    // not our error shape: show the start of the body instead
  }
  return text.slice(0, 200) || 'no body';
}

function connectionProblem(url: string, err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  if (code === 'ECONNREFUSED') return `cannot connect to ${url}: connection refused (is \`bmad-ops serve\` running there? use --url to point elsewhere)`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot connect to ${url}: host not found`;
  if ((err as { name?: unknown } | null)?.name === 'TimeoutError') return `${url} did not answer within the request timeout`;
  return `cannot reach ${url}: ${code ?? (typeof cause?.message === 'string' ? cause.message : err instanceof Error ? err.message : String(err))}`;
}

/** Retry-After in seconds or as an HTTP date, clamped so a bad header can neither spin nor stall the run. */
export function retryAfterMs(header: string | null, nowMs: number): number {
  const fallback = 1000;
  if (!header) return fallback;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - nowMs;
  return Number.isFinite(ms) ? Math.min(60_000, Math.max(100, ms)) : fallback;
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (completed: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(completed);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
