import type { DatabaseHandle } from '../../db/handle.js';
import type { Logger } from '../../observability/logger.js';
import { presenceRepository } from './presence.repository.js';

const EVERY_MS = 2_000;
/** A dead instance's connections stop counting after this. */
const FRESH_MS = 10_000;

/**
 * The per-account and per-key WebSocket cap across instances: each instance reports its open connections per
 * principal every 2 s and reads the others'. A principal can exceed the cap by what it opens in one such interval on
 * several instances at once; beyond that, the cap holds cluster-wide.
 */
export class WsPresence {
  private othersNow = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: DatabaseHandle,
    private readonly instanceId: string,
    private readonly logger: Logger,
  ) {}

  start(counts: () => ReadonlyMap<string, number>): void {
    const round = async () => {
      await presenceRepository.publish(this.db.write, this.instanceId, counts());
      this.othersNow = await presenceRepository.others(this.db.read, this.instanceId, FRESH_MS);
    };
    void round().catch((err: unknown) => this.logger.warn({ err }, 'presence round failed'));
    this.timer = setInterval(() => void round().catch((err: unknown) => this.logger.warn({ err }, 'presence round failed')), EVERY_MS);
    this.timer.unref();
  }

  /** Connections the principal holds on the other instances. */
  elsewhere(principal: string): number {
    return this.othersNow.get(principal) ?? 0;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await presenceRepository.remove(this.db.write, this.instanceId).catch(() => undefined);
  }
}
