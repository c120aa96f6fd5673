import { randomInt } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { DatabaseHandle } from '../db/handle.js';
import type { IngestionService } from '../modules/events/index.js';
import { eventsRepository } from '../modules/events/index.js';
import { metaRepository } from '../modules/meta/index.js';
import type { Logger } from '../observability/logger.js';
import { BMAD_COLUMNS, BmadSimulator, type SimulatedEvent } from '../simulator/bmad-simulator.js';
import { SeededRandom } from '../simulator/random.js';
import { demoRepository } from './demo.repository.js';

/** The source of every demo event, so demo data is recognisable in the log and in sync status. */
export const DEMO_SOURCE = 'bmad-ops-demo';

// The demo stream is fixed: the same seed always tells the same story, which is what lets a restart replay it (see
// replay()). Seed 8 reaches a board with stories in every column and a blocked and a failed run after ~750 events.
const DEMO_SEED = 8;
const DEMO_RUN_ID = 'demo';
/** Simulated time between steps while seeding: the seed's history spreads over the half hour before the first start. */
const SEED_STEP_MS = 6_000;
const SYNC_INTERVAL_MS = 60_000;
/** The seed ends at the first event after which the workspace shows all this (or at MAX, whichever comes first). */
const SEED_MIN_STORIES = 30;
const SEED_MIN_PER_COLUMN = 2;
const SEED_MAX_EVENTS = 10_000;
const INGEST_CHUNK = 500;
const REPLAY_PAGE = 5_000;
const SYNC_TYPE = 'sync.reported';

export interface DemoDeps {
  db: DatabaseHandle;
  ingestion: IngestionService;
  clock: Clock;
  logger: Logger;
}

export type DemoStatus =
  { state: 'seeded' | 'resumed'; ratePerSecond: number; events: number } | { state: 'skipped'; reason: string } | { state: 'failed'; reason: string };

export interface DemoStats {
  /** Events handed to ingestion since start (seed, catch-up and live). */
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** Live batches that failed (overload, shutdown) and were retried or dropped. */
  failedBatches: number;
}

interface SeedPlan {
  /** Domain (non-sync) events in the seed: the seed is complete once the log holds this many demo domain events. */
  domainEvents: number;
  /** Simulator steps the seed takes, to spread its history over the time before now. */
  steps: number;
}

/**
 * The demo workspace of the embedded default (issue 4, section 4). On an empty database it seeds a small BMAD
 * workspace from the simulator, backdated over the last half hour, and marks the database as demo data (meta
 * `demo`=1); on a demo database it keeps the simulator going at `ratePerSecond`, in-process through ingestion. A
 * database with any other data is left alone: demo events are never mixed into real ones.
 *
 * A restart continues the same story rather than starting new projects: the simulator's domain steps depend only on
 * its seed, not on the clock, so replaying the demo events already in the log (at their own occurredAt) rebuilds its
 * exact state. Event ids carry a per-start tag, so the ids of a continued stream never collide with stored ones.
 */
export class DemoWorkspace {
  readonly stats: DemoStats = { sent: 0, accepted: 0, duplicates: 0, rejected: 0, failedBatches: 0 };
  private current: DemoStatus | undefined;
  /** The simulator feeding the live stream, once seeded or resumed. */
  private live: BmadSimulator | undefined;
  private readonly idPrefix: string;
  private idCounter = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = false;
  private credit = 0;
  /** A live batch that ingestion could not take (overload); sent again before anything new. */
  private retryBatch: SimulatedEvent[] | undefined;

  constructor(
    private readonly d: DemoDeps,
    private readonly opts: { ratePerSecond: number },
  ) {
    // Time first, so the ids of later starts sort after earlier ones (time-ordered ids ingest fastest).
    this.idPrefix = `demo-${d.clock.now().getTime().toString(36)}${randomInt(36 ** 4)
      .toString(36)
      .padStart(4, '0')}`;
  }

  /** What start() decided; undefined before it finished. */
  get status(): DemoStatus | undefined {
    return this.current;
  }

  /** Whether the simulator is feeding the workspace. */
  get running(): boolean {
    return !this.stopped && (this.current?.state === 'seeded' || this.current?.state === 'resumed');
  }

  /** Seeds or resumes the demo (or decides not to) and starts the live stream. Never throws: failures are logged. */
  async start(): Promise<DemoStatus> {
    let status: DemoStatus;
    try {
      status = await this.prepare();
    } catch (err) {
      this.d.logger.error({ err }, 'demo workspace: could not start; serving without the demo');
      status = { state: 'failed', reason: err instanceof Error ? err.message : String(err) };
    }
    this.current = status;
    if (status.state === 'seeded' || status.state === 'resumed') {
      this.d.logger.info({ source: DEMO_SOURCE, ratePerSecond: this.opts.ratePerSecond }, 'demo workspace: simulating');
      this.schedule();
    }
    return status;
  }

  /** Stops the live stream and waits for the batch in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight;
  }

  // ---------- start: seed, resume or skip ----------

  private async prepare(): Promise<Exclude<DemoStatus, { state: 'failed' }>> {
    const { db, logger } = this.d;
    const isDemo = await metaRepository.isDemo(db.read);
    const head = await eventsRepository.headEventId(db.read);
    if (!isDemo) {
      if (head > 0) {
        const reason = `the database already holds ${head} events that are not demo data`;
        logger.info({ headEventId: head }, `demo workspace: not seeding or simulating, ${reason} (use an empty --data-dir for a demo)`);
        return { state: 'skipped', reason };
      }
      // Marked first: a start interrupted while seeding is resumed next time, not mistaken for real data.
      await metaRepository.markDemo(db.write);
    }

    const clock = new DemoClock(this.d.clock);
    const simulator = demoSimulator(clock);
    const plan = planSeed();
    const replayed = await this.replay(simulator, clock);
    if (replayed === undefined) {
      return { state: 'skipped', reason: 'the demo events in this database do not match the demo generator of this version' };
    }

    if (replayed === 0 && head > 0) {
      // Marked as demo, but the log holds only other events (a seed that never got in, then real data): leave it.
      const reason = `the database is marked as demo data but holds ${head} events that are not demo data`;
      logger.warn({ headEventId: head }, `demo workspace: not seeding or simulating, ${reason}`);
      return { state: 'skipped', reason };
    }
    if (replayed === 0) {
      // A fresh seed: its history ends just before now, one simulated step every SEED_STEP_MS.
      clock.useSteps(this.d.clock.now().getTime() - plan.steps * SEED_STEP_MS, SEED_STEP_MS);
      const events = takeDomainEvents(simulator, plan.domainEvents);
      clock.useLive();
      await this.ingestAll(events);
      this.live = simulator;
      logger.info({ events: events.length, source: DEMO_SOURCE }, 'demo workspace: seeded');
      return { state: 'seeded', ratePerSecond: this.opts.ratePerSecond, events: events.length };
    }

    clock.useLive();
    if (replayed < plan.domainEvents) {
      // The seed was interrupted: finish it now rather than at the live rate.
      await this.ingestAll(takeDomainEvents(simulator, plan.domainEvents - replayed));
    }
    this.live = simulator;
    logger.info({ replayedEvents: replayed }, 'demo workspace: resumed');
    return { state: 'resumed', ratePerSecond: this.opts.ratePerSecond, events: replayed };
  }

  /**
   * Walks the simulator through the demo domain events already in the log, each at its stored occurredAt, checking
   * that it produces the same event. Returns how many it replayed, or undefined when the log and the generator
   * disagree (an older generator, or someone else writing as the demo source).
   */
  private async replay(simulator: BmadSimulator, clock: DemoClock): Promise<number | undefined> {
    let replayed = 0;
    let after = 0;
    for (;;) {
      const page = await demoRepository.logPage(this.d.db.read, after, REPLAY_PAGE);
      if (page.length === 0) return replayed;
      after = page[page.length - 1]!.id;
      for (const logged of page) {
        if (logged.source !== DEMO_SOURCE || logged.type === SYNC_TYPE) continue;
        clock.useFixed(Date.parse(logged.occurredAt));
        const produced = nextDomainEvent(simulator);
        if (produced.type !== logged.type || produced.entity.id !== logged.entityId) {
          this.d.logger.warn(
            { eventId: logged.id, logged: { type: logged.type, entityId: logged.entityId }, generated: { type: produced.type, entityId: produced.entity.id } },
            'demo workspace: the stored demo events do not match the demo generator; not simulating (use an empty --data-dir for a fresh demo)',
          );
          return undefined;
        }
        replayed++;
      }
    }
  }

  // ---------- ingestion ----------

  private withDemoId(e: SimulatedEvent): SimulatedEvent {
    return { ...e, id: `${this.idPrefix}-${String(++this.idCounter).padStart(9, '0')}` };
  }

  private async ingestAll(events: SimulatedEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += INGEST_CHUNK) await this.ingest(events.slice(i, i + INGEST_CHUNK).map((e) => this.withDemoId(e)));
  }

  private async ingest(batch: SimulatedEvent[]): Promise<void> {
    const r = await this.d.ingestion.ingest(batch);
    this.stats.sent += batch.length;
    this.stats.accepted += r.accepted;
    this.stats.duplicates += r.duplicates;
    this.stats.rejected += r.rejected;
    if (r.rejected > 0) {
      const first = r.results.find((x) => x.status === 'rejected');
      this.d.logger.warn({ rejected: r.rejected, first }, 'demo workspace: ingestion rejected demo events');
    }
  }

  // ---------- the live stream ----------

  /** One batch per tick: every 1/rate seconds for slow rates, else every 100 ms with the events due by then. */
  private get periodMs(): number {
    return Math.max(100, 1000 / this.opts.ratePerSecond);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.tick()
        .catch((err: unknown) => {
          // A generator bug must not take the server down with it: log it and stop the demo.
          this.d.logger.error({ err }, 'demo workspace: the simulator failed; demo stopped');
          this.stopped = true;
        })
        .finally(() => {
          this.inFlight = undefined;
          this.schedule();
        });
    }, this.periodMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped || !this.live) return;
    const perTick = (this.opts.ratePerSecond * this.periodMs) / 1000;
    // Credit for at most one second of events, so a stall is not followed by a burst.
    this.credit = Math.min(this.credit + perTick, Math.max(1, this.opts.ratePerSecond));
    let batch = this.retryBatch;
    if (!batch) {
      const n = Math.floor(this.credit);
      if (n === 0) return;
      this.credit -= n;
      batch = this.live.next(n).map((e) => this.withDemoId(e));
    }
    try {
      await this.ingest(batch);
      this.retryBatch = undefined;
    } catch (err) {
      // Overload or shutdown: the same batch goes again next tick (ingestion is idempotent), unless we are stopping.
      this.stats.failedBatches++;
      this.retryBatch = this.stopped ? undefined : batch;
      this.d.logger.warn({ err, events: batch.length }, 'demo workspace: could not ingest a demo batch; retrying');
    }
  }
}

/**
 * The simulator's clock: during a replay, the stored time of the event being replayed; while seeding, evenly spaced
 * steps ending before now; then the injected clock.
 */
class DemoClock implements Clock {
  private mode: { kind: 'fixed'; ms: number } | { kind: 'steps'; next: number; stepMs: number } | { kind: 'live' } = { kind: 'live' };

  constructor(private readonly clock: Clock) {}

  useFixed(ms: number): void {
    this.mode = { kind: 'fixed', ms };
  }

  useSteps(startMs: number, stepMs: number): void {
    this.mode = { kind: 'steps', next: startMs, stepMs };
  }

  useLive(): void {
    this.mode = { kind: 'live' };
  }

  now(): Date {
    const m = this.mode;
    if (m.kind === 'fixed') return new Date(m.ms);
    if (m.kind === 'steps') {
      const at = m.next;
      m.next += m.stepMs;
      return new Date(at);
    }
    return this.clock.now();
  }
}

function demoSimulator(clock: Clock): BmadSimulator {
  return new BmadSimulator({
    runId: DEMO_RUN_ID,
    random: new SeededRandom(DEMO_SEED),
    clock,
    source: DEMO_SOURCE,
    projects: 3,
    syncIntervalMs: SYNC_INTERVAL_MS,
  });
}

function nextDomainEvent(simulator: BmadSimulator): SimulatedEvent {
  for (;;) {
    const e = simulator.next(1)[0]!;
    if (e.type !== SYNC_TYPE) return e;
  }
}

/** The next events of the stream up to and including the `count`-th domain event (sync reports in between included). */
function takeDomainEvents(simulator: BmadSimulator, count: number): SimulatedEvent[] {
  const out: SimulatedEvent[] = [];
  let domain = 0;
  while (domain < count) {
    const e = simulator.next(1)[0]!;
    out.push(e);
    if (e.type !== SYNC_TYPE) domain++;
  }
  return out;
}

/**
 * Runs the demo stream on a counting clock to find where the seed ends: the first event after which there are enough
 * stories, some in every board column, and at least one blocked and one failed workflow run. Cheap (under a thousand
 * events) and deterministic, so every start agrees on it.
 */
function planSeed(): SeedPlan {
  let steps = 0;
  const simulator = demoSimulator({ now: () => new Date(steps++ * SEED_STEP_MS) });
  const columns = new Map<string, string>();
  const runs = new Map<string, string>();
  let domainEvents = 0;
  for (let i = 0; i < SEED_MAX_EVENTS; i++) {
    const e = simulator.next(1)[0]!;
    if (e.type === SYNC_TYPE) continue;
    domainEvents++;
    const p = e.payload;
    if (e.type === 'story.upserted' && typeof p.kanbanColumn === 'string') columns.set(e.entity.id, p.kanbanColumn);
    else if (e.type === 'workflow.upserted' && typeof p.status === 'string') runs.set(e.entity.id, p.status);
    else if (e.type === 'workflow.transitioned' && typeof p.to === 'string') runs.set(e.entity.id, p.to);
    else continue;
    if (columns.size < SEED_MIN_STORIES) continue;
    const perColumn = new Map<string, number>();
    for (const c of columns.values()) perColumn.set(c, (perColumn.get(c) ?? 0) + 1);
    if (BMAD_COLUMNS.some((c) => (perColumn.get(c) ?? 0) < SEED_MIN_PER_COLUMN)) continue;
    const statuses = new Set(runs.values());
    if (statuses.has('blocked') && statuses.has('failed')) break;
  }
  return { domainEvents, steps };
}
