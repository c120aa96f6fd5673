import { CLOSE_CODES, EVENT_TYPES, TOPIC_OF_EVENT } from '../../../contracts/index.js';
import type { Config } from '../../config.js';
import type { DatabaseHandle } from '../../db/handle.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { eventsRepository } from '../events/index.js';
import { retentionRepository } from '../events/index.js';
import type { Connection } from './connection.js';
import type { Fail } from './fail.js';
import type { FreshnessPush } from './freshness-push.js';
import type { SendQueue } from './send-queue.js';
import type { SnapshotService } from './snapshot.service.js';

const REPLAY_PAGE = 1000;
/** Between replay pages, the client is given the chance to read what was queued every this many events. */
const DRAIN_EVERY = 100;

export interface ReplayDeps {
  db: DatabaseHandle;
  snapshots: SnapshotService;
  metrics: Metrics;
  logger: Logger;
  rt: Config['realtime'];
  epoch: () => string;
  send: SendQueue;
  freshness: FreshnessPush;
  fail: Fail;
}

/**
 * Brings a connection up to date: consistent snapshots of its topics, or a replay of what a reconnecting client
 * missed. Runs one operation at a time per connection, holding live events back meanwhile.
 */
export class ReplayCoordinator {
  constructor(private readonly d: ReplayDeps) {}

  /** Snapshots of every subscribed topic. */
  snapshot(conn: Connection, reason: string, fromEventId: number): void {
    this.serialize(conn, 'snapshot', () => this.sendSnapshots(conn, reason, fromEventId));
  }

  /** Replays from the client's last acknowledged event, or falls back to snapshots when that cannot be done. */
  replay(conn: Connection, lastAck: number, epoch: string): void {
    this.serialize(conn, 'replay', () => this.resync(conn, lastAck, epoch));
  }

  /**
   * While one runs, further requests coalesce into a single pending one (Connection.pending), so a flood of requests
   * queues no work.
   */
  private serialize(conn: Connection, kind: 'snapshot' | 'replay', op: () => Promise<void>): void {
    if (conn.busy) {
      if (!(conn.pending?.kind === 'snapshot' && kind === 'replay')) conn.pending = { kind, op };
      this.d.metrics.wsCoalesced.inc();
      return;
    }
    conn.busy = true;
    this.runSerialized(conn, op);
  }

  private runSerialized(conn: Connection, op: () => Promise<void>): void {
    conn.queue = conn.queue
      .then(async () => {
        conn.lastOpStartedAt = performance.now();
        if (conn.phase !== 'ready') return;
        conn.held = [];
        try {
          await op();
        } finally {
          const held = conn.held ?? [];
          conn.held = null;
          for (const e of held) if (e.eventId > conn.position) this.d.send.sendEvent(conn, e);
        }
      })
      .catch((err: unknown) => {
        this.d.logger.error({ err, connection: conn.id }, 'snapshot or replay failed');
        this.d.fail(conn, 'internal_error', 'could not prepare your data; reconnect to retry', CLOSE_CODES.resyncNeeded);
      })
      .then(() => this.runPending(conn));
  }

  private runPending(conn: Connection): void {
    if (!conn.pending || conn.phase !== 'ready') {
      conn.pending = null;
      conn.busy = false;
      return;
    }
    // Back-to-back requests run at most once per interval: a replay of thousands of events takes the event loop
    // for a while, and one client must not keep it busy for everyone else.
    const wait = Math.max(0, conn.lastOpStartedAt + this.d.rt.resyncMinIntervalMs - performance.now());
    setTimeout(() => {
      const next = conn.pending;
      conn.pending = null;
      if (next && conn.phase === 'ready') this.runSerialized(conn, next.op);
      else conn.busy = false;
    }, wait).unref();
  }

  private async sendSnapshots(conn: Connection, reason: string, fromEventId: number): Promise<void> {
    const topics = [...conn.topics];
    const snap = await this.d.snapshots.frames(topics);
    for (const frame of snap.frames) {
      this.d.send.sendText(conn, frame.text);
      await this.d.send.drained(conn);
    }
    conn.position = snap.version;
    this.d.send.sendMessage(conn, { type: 'resync_complete', recovered: false, fromEventId, toEventId: snap.version, reason });
    this.d.freshness.sendCurrent(conn);
  }

  /** Why the client cannot be resumed by replay (and gets snapshots instead), or null when it can. */
  private async unrecoverable(lastAck: number, epoch: string): Promise<{ reason: string | null; head: number }> {
    const [head, oldest, prunedThrough] = await Promise.all([
      eventsRepository.headEventId(this.d.db.read),
      eventsRepository.oldestEventId(this.d.db.read),
      retentionRepository.prunedThrough(this.d.db.read),
    ]);
    const reason =
      epoch !== this.d.epoch()
        ? 'epoch_changed'
        : lastAck > head
          ? 'ahead_of_head'
          : head - lastAck > this.d.rt.replayLimit
            ? 'gap_too_large'
            : (oldest !== null && lastAck < oldest - 1) || lastAck < prunedThrough
              ? 'pruned'
              : null;
    return { reason, head };
  }

  private async resync(conn: Connection, lastAck: number, epoch: string): Promise<void> {
    const { reason, head } = await this.unrecoverable(lastAck, epoch);
    this.d.metrics.wsReconnectAttempts.inc({ recovered: String(reason === null) });
    if (reason !== null) return this.sendSnapshots(conn, reason, lastAck + 1);
    conn.position = lastAck;
    const types = EVENT_TYPES.filter((t) => conn.topics.has(TOPIC_OF_EVENT[t]));
    let cursor = lastAck;
    for (;;) {
      const page = await eventsRepository.listRange(this.d.db.read, cursor, head, types, REPLAY_PAGE);
      for (let i = 0; i < page.length; i++) {
        this.d.send.sendEvent(conn, page[i]!);
        // Let a reading client catch up every few events, so a small cap never cuts off a healthy one mid-page.
        if (i % DRAIN_EVERY === DRAIN_EVERY - 1) await this.d.send.drained(conn);
        if (conn.phase !== 'ready') return;
      }
      if (page.length < REPLAY_PAGE) break;
      cursor = page[page.length - 1]!.eventId;
    }
    conn.position = Math.max(conn.position, head);
    this.d.send.sendMessage(conn, { type: 'resync_complete', recovered: true, fromEventId: lastAck + 1, toEventId: head });
    this.d.freshness.sendCurrent(conn);
  }
}
