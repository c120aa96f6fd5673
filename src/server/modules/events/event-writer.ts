import { context, trace, type Attributes, type Context, type Link, type Span } from '@opentelemetry/api';
import type { IncomingEvent } from '../../../contracts/index.js';
import type { Clock } from '../../clock.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { StorageUnavailableError } from '../../db/storage-failure.js';
import type { StorageHealth } from '../../db/storage-health.js';
import { WriteLockTimeoutError, type WriteTransactionOptions } from '../../db/write-transaction.js';
import { tracingEnabled, withSpan, type SpanOptions } from '../../observability/tracing.js';
import { contentHash } from './content-hash.js';
import type { CommitSink } from './event-publisher.js';
import { eventsRepository } from './events.repository.js';
import type { StoredEvent } from './stored-event.js';
import type { ProjectionEngine } from './projection.js';
import { commitRound, type AppendOutcome, type CommittedRound, type RoundCommitter, type RoundOrigin } from './round-commit.js';
import { WriterThreadExitedError } from './writer-thread/messages.js';

export type { AppendOutcome } from './round-commit.js';

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
  /**
   * Where rounds commit: the writer's worker thread (writer-thread/), so that the statements and fsync of one round
   * run beside the HTTP parsing and validation of the next. Absent, or given up: on this thread's connection. A round
   * whose span is recorded always commits here, where its projection spans can be recorded.
   */
  thread?: RoundCommitter;
}

interface Job {
  events: IncomingEvent[];
  /** Each event's content hash, taken as the job is queued: the writer's thread would otherwise wait for them. */
  hashes: readonly string[];
  sentBy: string | null;
  resolve: (outcomes: AppendOutcome[]) => void;
  reject: (err: unknown) => void;
  /** The caller's trace context (its request's span), when tracing is on: the round that commits the job links it. */
  origin?: Context;
}

/** Events read per page when publishing what a dead writer thread committed. */
const ORPHAN_PAGE = 1000;

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
  /** The newest event id handed to the publisher (null until the first threaded round asks): see publishOrphans. */
  private publishedThrough: number | null = null;

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
  /** `hashes`: the events' content hashes, when the caller took them already (in slices, between other work). */
  append(events: IncomingEvent[], sentBy: string | null = null, hashes?: readonly string[]): Promise<AppendOutcome[]> {
    if (events.length === 0) return Promise.resolve([]);
    if (this.closed) return Promise.reject(new WriterOverloadedError(5, 'the server is shutting down'));
    if (this.queuedEvents + events.length > this.opts.maxQueuedEvents) {
      return Promise.reject(new WriterOverloadedError(1, `ingestion queue is full (${this.queuedEvents} events waiting)`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({
        events,
        hashes: hashes ?? events.map(contentHash),
        sentBy,
        resolve,
        reject,
        ...(tracingEnabled() ? { origin: context.active() } : {}),
      });
      this.queuedEvents += events.length;
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Starts the writer's thread, if rounds commit on one, ahead of the first round. */
  warm(): void {
    this.opts.thread?.warm();
  }

  /** Stops taking work, waits until everything already queued is committed, and stops the writer's thread. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.draining || this.queue.length > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
    await this.opts.thread?.close();
  }

  private async drain(): Promise<void> {
    let committing = this.nextRound();
    while (committing) {
      const answer = await committing;
      // The next round is on its way to the writer before this one's callers are answered: their responses are
      // main-thread work that the writer's thread would otherwise sit idle through.
      committing = this.nextRound();
      answer();
    }
    this.draining = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Takes the next round off the queue and starts it; settles (never rejects) with what answers its callers. */
  private nextRound(): Promise<() => void> | null {
    if (this.queue.length === 0) return null;
    const round: Job[] = [];
    let count = 0;
    while (this.queue.length > 0 && (round.length === 0 || count + this.queue[0]!.events.length <= this.opts.maxEventsPerTransaction)) {
      const job = this.queue.shift()!;
      round.push(job);
      count += job.events.length;
    }
    this.queuedEvents -= count;
    return this.commitJobs(round).catch(async (err: unknown) => {
      await this.failRound(round, err);
      return () => undefined;
    });
  }

  private async failRound(round: readonly Job[], err: unknown): Promise<void> {
    const storage = this.opts.storage?.failed(err) ?? null;
    if (storage) {
      // Nothing of the round was committed; retrying request by request would only hit the same full disk.
      const refused = new StorageUnavailableError(storage, storage === 'full' ? 30 : 10, err);
      for (const job of round) job.reject(refused);
    } else if (err instanceof WriteLockTimeoutError || err instanceof WriterThreadExitedError || round.length === 1) {
      // A dead writer thread may have committed the round: its callers retry and get duplicates, never two copies.
      const mapped = err instanceof WriteLockTimeoutError ? new WriterOverloadedError(1, err.message) : err;
      for (const job of round) job.reject(mapped);
    } else {
      // One request's failure must not sink the others it was grouped with: commit each on its own.
      for (const job of round)
        await this.commitJobs([job]).then(
          (answer) => answer(),
          (e: unknown) => job.reject(e),
        );
    }
  }

  /**
   * One round: a span of its own (db.write_transaction) around the transaction, the projections and the publish. A
   * round commits several requests at once, so it joins the first one's trace and links every one; each request's
   * span gets a link back and the round's figures, so a request whose events rode in another's round finds them.
   */
  private commitJobs(jobs: Job[]): Promise<() => void> {
    if (!tracingEnabled()) return this.commitJobsIn(jobs, undefined);
    const figures = { 'bmad.write_round.requests': jobs.length, 'bmad.write_round.events': jobs.reduce((n, j) => n + j.events.length, 0) };
    return withSpan(
      'db.write_transaction',
      { 'db.system.name': this.db.dialect, ...figures },
      (span) => this.commitJobsIn(jobs, span, figures),
      roundSpanOptions(jobs),
    );
  }

  /** Commits and publishes a round; resolves with what answers its callers (see drain). */
  private async commitJobsIn(jobs: Job[], span: Span | undefined, figures?: Attributes): Promise<() => void> {
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
    const events = jobs.flatMap((j) => j.events);
    const hashes = jobs.flatMap((j) => j.hashes);
    const origins = jobs.flatMap((j): RoundOrigin[] => {
      const request = j.origin ? trace.getSpanContext(j.origin) : undefined;
      return j.events.map(() => ({ sentBy: j.sentBy, traceId: request?.traceId ?? null, spanId: request?.spanId ?? null }));
    });
    // Stamped once the write lock is held, so ingestion times grow with ids whoever else writes (retention bisects on it).
    const recordedAt = () => this.clock.now().toISOString();
    const thread = this.opts.thread;
    const { outcomes, stored } =
      thread?.usable && !span?.isRecording()
        ? await this.commitOnThread(thread, events, hashes, origins, recordedAt())
        : await commitRound(this.db, this.projections, events, origins, recordedAt, transaction, hashes);
    span?.setAttribute('bmad.write_round.appended', stored.length);
    this.opts.storage?.succeeded();
    this.publish(stored);
    return () => {
      let offset = 0;
      for (const job of jobs) {
        job.resolve(outcomes.slice(offset, offset + job.events.length));
        offset += job.events.length;
      }
    };
  }

  private publish(stored: readonly StoredEvent[]): void {
    if (stored.length > 0) this.publishedThrough = stored[stored.length - 1]!.eventId;
    this.publisher.publish(stored);
  }

  private async commitOnThread(
    thread: RoundCommitter,
    events: IncomingEvent[],
    hashes: string[],
    origins: RoundOrigin[],
    recordedAt: string,
  ): Promise<CommittedRound> {
    this.publishedThrough ??= await eventsRepository.headEventId(this.db.read);
    try {
      return await thread.commit(events, hashes, origins, recordedAt);
    } catch (err) {
      if (err instanceof WriterThreadExitedError) await this.publishOrphans();
      throw err;
    }
  }

  /**
   * The writer's thread died during a round: it may have committed before it could answer. Its callers are told the
   * round failed (a retry finds its events stored: duplicates, never twice), and whatever it did commit is published
   * from the log, page by page up to the head read now, so live clients do not miss it. A failure to read them is not
   * the callers' error: they get the thread's.
   */
  private async publishOrphans(): Promise<void> {
    try {
      const head = await eventsRepository.headEventId(this.db.read);
      let after = this.publishedThrough ?? head;
      while (after < head) {
        const page = (await eventsRepository.listAfter(this.db.read, after, ORPHAN_PAGE)).filter((e) => e.eventId <= head);
        if (page.length === 0) break;
        this.publish(page);
        after = page[page.length - 1]!.eventId;
      }
    } catch {
      // The log cannot be read either (the same failing disk, most likely); live clients see the gap at the next event.
    }
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
