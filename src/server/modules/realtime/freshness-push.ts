import type { Module, Topic } from '../../../contracts/index.js';
import type { Metrics } from '../../observability/metrics.js';
import type { Connection } from './connection.js';
import type { SendQueue } from './send-queue.js';
import type { ModuleFreshness, StaleMonitor } from './stale-monitor.js';

/** Pushes stale_state and sync_status to connections, and keeps the stale-sessions ratio metric current. */
export class FreshnessPush {
  constructor(
    private readonly connections: () => Iterable<Connection>,
    private readonly staleMonitor: () => StaleMonitor,
    private readonly send: SendQueue,
    private readonly metrics: Metrics,
  ) {}

  /** A module's freshness changed: every ready connection subscribed to it (or to sync) is told. */
  announce(module: Module, f: ModuleFreshness): void {
    for (const conn of this.connections()) {
      if (conn.phase !== 'ready' || !(conn.topics.has(module) || conn.topics.has('sync'))) continue;
      this.send.sendMessage(conn, f.stale);
      this.send.sendMessage(conn, f.sync);
    }
    this.updateStaleRatio();
  }

  /**
   * The current stale_state and sync_status of each subscribed topic. Freshness changes are pushed only when they
   * happen, so a client that was away (even one resumed by replay) must be told the present state.
   */
  sendCurrent(conn: Connection): void {
    for (const module of conn.topics) {
      const f = this.staleMonitor().get(module);
      if (f) {
        this.send.sendMessage(conn, f.stale);
        this.send.sendMessage(conn, f.sync);
      }
    }
    this.updateStaleRatio();
  }

  updateStaleRatio(): void {
    let ready = 0;
    let stale = 0;
    for (const conn of this.connections()) {
      if (conn.phase !== 'ready') continue;
      ready++;
      for (const t of conn.topics) {
        if (this.staleMonitor().isStale(t as Topic)) {
          stale++;
          break;
        }
      }
    }
    this.metrics.staleSessionsRatio.set(ready === 0 ? 0 : stale / ready);
  }
}
