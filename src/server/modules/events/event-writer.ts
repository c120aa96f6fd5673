import { context, trace, type Attributes, type Context, type Link, type Span } from '@opentelemetry/api';
import type { IncomingEvent } from '../../../contracts/index.js';
import type { Clock } from '../../clock.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { StorageUnavailableError } from '../../db/storage-failure.js';
import type { StorageHealth } from '../../db/storage-health.js';
import { withWriteTransaction, WriteLockTimeoutError, type WriteTransactionOptions } from '../../db/write-transaction.js';
import { tracingEnabled, withSpan, type SpanOptions } from '../../observability/tracing.js';
import { contentHash } from './content-hash.js';
import type { CommitSink } from './event-publisher.js';
import { eventsRepository, type NewEvent } from './events.repository.js';
import type { ProjectionEngine } from './projection.js';
import { sourceKey, type StoredEvent } from './stored-event.js';

export type AppendOutcome = { status: 'accepted'; eventId: number } | { status: 'duplicate'; eventId: number } | { status: 'conflict'; eventId: number };

export class WriterOverloadedError extends Error {
  constructor(
    readonly retryAfterSec: number,
    reason: string,
  ) {
    super(reason);
    this.name = 'WriterOverloadedError';
  }
}

export interface EventWriterOptions {
  /** Events waiting for the writer beyond which new work is refused with 429 instead of queued. */
  maxQueuedEvents: number;
  /** Events committed together in one transaction (group commit across requests). */
  maxEventsPerTransaction: number;
  transaction: WriteTransactionOptions;
  /** Told about every commit and every storage failure (full disk, I/O error): readiness and recovery follow it. */
  storage?: StorageHealth;
}

interface Job {
  events: IncomingEvent[];
  sentBy: string | null;
  resolve: (outcomes: AppendOutcome[]) => void;
  reject: (err: unknown) => void;
  /** The caller's trace context (its request's span), when tracing is on: the round that commits the job links it. */
  origin?: Context;
}

/** Requests a round's span links at most (a round of 1,000 one-event requests would otherwise carry 1,000 links). */
const MAX_ROUND_LINKS = 64;

/**
 * The single writer. Requests queue here; the writer drains the queue into one transaction per round (appending to
 * domain_events and running the projections), and resolves each request only after its transaction committed. The
 * committed events are then handed to the publisher. Queue depth is bounded: past it, callers get an overload error.
 */
export class EventWriter {
  private queue: Job[] = [];
  private queuedEvents = 0;
  private draining = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly db: DatabaseHandle,
    private readonly projections: ProjectionEngine,
    private readonly publisher: CommitSink,
    private readonly clock: Clock,
    private readonly opts: EventWriterOptions,
  ) {}

  get depth(): number {
    return this.queuedEvents;
  }

  /** `sentBy`: the credential that delivered these events (stored with each, for lineage). */
  append(events: IncomingEvent[], sentBy: string | null = null): Promise<AppendOutcome[]> {
    if (events.length === 0) return Promise.resolve([]);
    if (this.closed) return Promise.reject(new WriterOverloadedError(5, 'the server is shutting down'));
    if (this.queuedEvents + events.length > this.opts.maxQueuedEvents) {
      return Promise.reject(new WriterOverloadedError(1, `ingestion queue is full (${this.queuedEvents} events waiting)`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ events, sentBy, resolve, reject, ...(tracingEnabled() ? { origin: context.active() } : {}) });
      this.queuedEvents += events.length;
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Stops taking work and waits until everything already queued is committed. */
  async close(): Promise<void> {
    this.closed = true;
    if (!this.draining && this.queue.length === 0) return;
    await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const round: Job[] = [];
      let count = 0;
      while (this.queue.length > 0 && (round.length === 0 || count + this.queue[0]!.events.length <= this.opts.maxEventsPerTransaction)) {
        const job = this.queue.shift()!;
        round.push(job);
        count += job.events.length;
      }
      this.queuedEvents -= count;
      try {
        await this.commitJobs(round);
      } catch (err) {
        const storage = this.opts.storage?.failed(err) ?? null;
        if (storage) {
          // Nothing of the round was committed; retrying request by request would only hit the same full disk.
          const refused = new StorageUnavailableError(storage, storage === 'full' ? 30 : 10, err);
          for (const job of round) job.reject(refused);
        } else if (err instanceof WriteLockTimeoutError || round.length === 1) {
          const mapped = err instanceof WriteLockTimeoutError ? new WriterOverloadedError(1, err.message) : err;
          for (const job of round) job.reject(mapped);
        } else {
          // One request's failure must not sink the others it was grouped with: commit each on its own.
          for (const job of round) await this.commitJobs([job]).catch((e: unknown) => job.reject(e));
        }
      }
    }
    this.draining = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /**
   * One round: a span of its own (db.write_transaction) around the transaction, the projections and the publish. A
   * round commits several requests at once, so it joins the first one's trace and links every one; each request's
   * span gets a link back and the round's figures, so a request whose events rode in another's round finds them.
   */
  private commitJobs(jobs: Job[]): Promise<void> {
    if (!tracingEnabled()) return this.commitJobsIn(jobs, undefined);
    const figures = { 'bmad.write_round.requests': jobs.length, 'bmad.write_round.events': jobs.reduce((n, j) => n + j.events.length, 0) };
    return withSpan(
      'db.write_transaction',
      { 'db.system.name': this.db.dialect, ...figures },
      (span) => this.commitJobsIn(jobs, span, figures),
      roundSpanOptions(jobs),
    );
  }

  private async commitJobsIn(jobs: Job[], span: Span | undefined, figures?: Attributes): Promise<void> {
    let transaction = this.opts.transaction;
    if (span?.isRecording()) {
      const round = span.spanContext();
      for (const job of jobs) {
        const requestSpan = job.origin && trace.getSpan(job.origin);
        requestSpan?.addLink({ context: round, attributes: { 'bmad.link': 'write_round' } });
        requestSpan?.setAttributes({ ...figures, 'bmad.write_round.trace_id': round.traceId, 'bmad.write_round.span_id': round.spanId });
      }
      const onLockWait = transaction.onLockWait;
      transaction = { ...transaction, onLockWait: (ms) => (onLockWait?.(ms), span.setAttribute('db.lock_wait_ms', ms)) };
    }
    const { outcomes, stored } = await this.commitRound(
      jobs.flatMap((j) => j.events),
      jobs.flatMap((j) => {
        // Each event keeps who sent it and, when traced, the request that carried it (lineage shows both).
        const request = j.origin ? trace.getSpanContext(j.origin) : undefined;
        return j.events.map(() => ({ sentBy: j.sentBy, traceId: request?.traceId ?? null, spanId: request?.spanId ?? null }));
      }),
      transaction,
    );
    span?.setAttribute('bmad.write_round.appended', stored.length);
    this.opts.storage?.succeeded();
    this.publisher.publish(stored);
    let offset = 0;
    for (const job of jobs) {
      job.resolve(outcomes.slice(offset, offset + job.events.length));
      offset += job.events.length;
    }
  }

  private commitRound(
    events: IncomingEvent[],
    origins: { sentBy: string | null; traceId: string | null; spanId: string | null }[],
    transaction: WriteTransactionOptions,
  ): Promise<{ outcomes: AppendOutcome[]; stored: StoredEvent[] }> {
    return withWriteTransaction(this.db, transaction, async (trx) => {
      const existing = await eventsRepository.findBySourceKeys(trx, events);
      const hashes = events.map(contentHash);
      const pending = new Map<string, { hash: string; index: number }>();
      const fresh: NewEvent[] = [];
      const plan: ({ kind: 'new'; key: string } | { kind: 'dup' | 'conflict'; eventId: number } | { kind: 'dup-new' | 'conflict-new'; key: string })[] = [];
      events.forEach((event, i) => {
        const key = sourceKey(event);
        const hash = hashes[i]!;
        const stored = existing.get(key);
        if (stored) {
          plan.push({ kind: stored.contentHash === hash ? 'dup' : 'conflict', eventId: stored.eventId });
          return;
        }
        const earlier = pending.get(key);
        if (earlier) {
          plan.push({ kind: earlier.hash === hash ? 'dup-new' : 'conflict-new', key });
          return;
        }
        pending.set(key, { hash, index: fresh.length });
        fresh.push({ event, contentHash: hash, ...(origins[i] ?? { sentBy: null }) });
        plan.push({ kind: 'new', key });
      });
      const stored = await eventsRepository.append(trx, fresh, this.clock.now().toISOString());
      await this.projections.apply(trx, stored);
      const idOf = (key: string) => stored[pending.get(key)!.index]!.eventId;
      const outcomes: AppendOutcome[] = plan.map((p) => {
        switch (p.kind) {
          case 'new':
            return { status: 'accepted', eventId: idOf(p.key) };
          case 'dup':
            return { status: 'duplicate', eventId: p.eventId };
          case 'conflict':
            return { status: 'conflict', eventId: p.eventId };
          case 'dup-new':
            return { status: 'duplicate', eventId: idOf(p.key) };
          case 'conflict-new':
            return { status: 'conflict', eventId: idOf(p.key) };
        }
      });
      return { outcomes, stored };
    });
  }
}

function roundSpanOptions(jobs: readonly Job[]): SpanOptions {
  const first = jobs[0]?.origin;
  if (!first) return {};
  const links: Link[] = [];
  for (const job of jobs) {
    const request = job.origin && trace.getSpanContext(job.origin);
    if (request && links.length < MAX_ROUND_LINKS) links.push({ context: request, attributes: { 'bmad.link': 'request' } });
  }
  return { parent: first, links };
}
