import type { Clock } from '../../clock.js';
import type { DatabaseHandle } from '../../db/handle.js';
import type { Logger } from '../../observability/logger.js';
import { leasesRepository } from './leases.repository.js';

/** A job that must run on one instance at a time. */
export interface LeasedJob {
  name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

export interface LeaseTiming {
  /** How long a lease lasts without renewal: a dead holder's jobs move after at most this plus one renewal interval. */
  ttlMs: number;
  renewEveryMs: number;
}

export const DEFAULT_LEASE_TIMING: LeaseTiming = { ttlMs: 6_000, renewEveryMs: 2_000 };

/**
 * Runs each job while this instance holds its lease in the shared database. Every instance asks every renewal
 * interval; the holder renews, the others take over once it lapses (its holder died or lost the database). A holder
 * that fails to renew stops the job before the lease can lapse, so two instances never run it at once for longer than
 * one renewal round.
 */
export class LeaseManager {
  private readonly jobs = new Map<string, { job: LeasedJob; running: boolean; renewedAt: number }>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly db: DatabaseHandle,
    readonly instanceId: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly timing: LeaseTiming = DEFAULT_LEASE_TIMING,
  ) {}

  /** Registers a job and asks for its lease at once (a first instance starts it before it listens). */
  async add(job: LeasedJob): Promise<void> {
    this.jobs.set(job.name, { job, running: false, renewedAt: 0 });
    await this.round([job.name]);
    if (!this.timer && !this.closed) {
      this.timer = setInterval(() => void this.tick(), this.timing.renewEveryMs);
      this.timer.unref();
    }
  }

  /** The jobs this instance runs now. */
  held(): string[] {
    return [...this.jobs.values()].filter((j) => j.running).map((j) => j.job.name);
  }

  private tick(): Promise<void> {
    this.ticking ??= this.round([...this.jobs.keys()]).finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async round(names: readonly string[]): Promise<void> {
    for (const name of names) {
      const entry = this.jobs.get(name);
      if (!entry || this.closed) continue;
      const asked = performance.now();
      let mine: boolean;
      try {
        mine = await leasesRepository.tryAcquire(this.db.write, name, this.instanceId, this.timing.ttlMs, this.clock.now().toISOString());
        if (mine) entry.renewedAt = asked;
      } catch (err) {
        // Not knowing is not holding: once the lease may have lapsed, the job stops here.
        this.logger.warn({ err, job: name }, 'lease renewal failed');
        mine = entry.running && asked - entry.renewedAt < this.timing.ttlMs - this.timing.renewEveryMs;
      }
      if (mine && !entry.running) {
        entry.running = true;
        this.logger.info({ job: name, instance: this.instanceId }, 'lease acquired: job starts here');
        await Promise.resolve(entry.job.start()).catch((err: unknown) => this.logger.error({ err, job: name }, 'leased job failed to start'));
      } else if (!mine && entry.running) {
        entry.running = false;
        this.logger.warn({ job: name, instance: this.instanceId }, 'lease lost: job stops here');
        await Promise.resolve(entry.job.stop()).catch((err: unknown) => this.logger.error({ err, job: name }, 'leased job failed to stop'));
      }
    }
  }

  /** Stops the jobs this instance runs and hands their leases back, so another instance takes over at once. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.ticking;
    for (const entry of this.jobs.values()) {
      if (!entry.running) continue;
      entry.running = false;
      await Promise.resolve(entry.job.stop()).catch((err: unknown) => this.logger.error({ err, job: entry.job.name }, 'leased job failed to stop'));
      await leasesRepository.release(this.db.write, entry.job.name, this.instanceId).catch(() => undefined);
    }
  }
}
