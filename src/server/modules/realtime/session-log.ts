import type { Clock } from '../../clock.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { withWriteTransaction } from '../../db/write-transaction.js';
import type { Logger } from '../../observability/logger.js';
import { clientSessionsRepository, type SessionOp } from './client-sessions.repository.js';
import type { Connection } from './connection.js';

/** How often the buffered session bookkeeping is written. */
export const SESSION_FLUSH_MS = 1_000;

/**
 * Client-session bookkeeping (opens, heartbeats/acks, closes), buffered in memory and written in batches so a
 * reconnect storm costs one transaction per flush rather than one per connection.
 */
export class ClientSessionLog {
  private ops: SessionOp[] = [];

  constructor(
    private readonly db: DatabaseHandle,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly closedRetentionHours: number,
  ) {}

  record(op: SessionOp): void {
    this.ops.push(op);
  }

  /** Sessions a previous process left open are closed at start-up. */
  closeOrphans(): Promise<number> {
    return clientSessionsRepository.closeOrphans(this.db.write, this.nowIso());
  }

  /**
   * Writes session bookkeeping (opens, heartbeats/acks, closes) in one transaction per flush: one fsync for all of
   * them, instead of one per connection stalling the event loop during a reconnect storm.
   */
  async flush(connections: Iterable<Connection>): Promise<void> {
    const ops = this.ops.splice(0);
    for (const conn of connections) {
      if (!conn.sessionDirty || conn.phase !== 'ready') continue;
      conn.sessionDirty = false;
      ops.push({ kind: 'touch', id: conn.id, at: this.nowIso(), lastAckEventId: conn.lastAckEventId });
    }
    if (ops.length === 0) return;
    await withWriteTransaction(this.db, { maxRetries: 3, retryDelayMs: 25 }, (trx) => clientSessionsRepository.apply(trx, ops)).catch((err: unknown) =>
      this.logger.warn({ err }, 'session flush failed'),
    );
  }

  async prune(): Promise<void> {
    const before = new Date(this.clock.now().getTime() - this.closedRetentionHours * 3600_000).toISOString();
    await clientSessionsRepository.pruneClosedBefore(this.db.write, before).catch((err: unknown) => this.logger.warn({ err }, 'session pruning failed'));
  }

  private nowIso(): string {
    return this.clock.now().toISOString();
  }
}
