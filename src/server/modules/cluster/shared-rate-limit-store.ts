import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { DatabaseHandle } from '../../db/handle.js';
import { rateLimitRepository } from './rate-limit.repository.js';

/**
 * express-rate-limit's fixed window, counted in the shared database instead of one process's memory: a client that
 * spreads its login attempts over every instance behind a load balancer meets the same limit as on one.
 */
export class SharedRateLimitStore implements Store {
  /** Counts live outside this process: express-rate-limit must not assume it sees every hit. */
  readonly localKeys = false;
  private windowMs = 60_000;
  private hits = 0;

  constructor(
    private readonly db: DatabaseHandle,
    readonly prefix: string,
    private readonly now: () => number = Date.now,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  private windowStart(): number {
    const now = this.now();
    return now - (now % this.windowMs);
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const start = this.windowStart();
    const totalHits = await rateLimitRepository.hit(this.db.write, `${this.prefix}${key}`, start);
    // Old windows are dropped now and then, by whichever instance counts the hit.
    if (++this.hits % 200 === 0) await rateLimitRepository.pruneBefore(this.db.write, start - this.windowMs);
    return { totalHits, resetTime: new Date(start + this.windowMs) };
  }

  async decrement(key: string): Promise<void> {
    await rateLimitRepository.unhit(this.db.write, `${this.prefix}${key}`, this.windowStart());
  }

  async resetKey(key: string): Promise<void> {
    await rateLimitRepository.reset(this.db.write, `${this.prefix}${key}`);
  }
}
