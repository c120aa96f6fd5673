import { CLOSE_CODES } from '../../../contracts/index.js';
import type { Config } from '../../config.js';
import type { Connection } from './connection.js';
import type { Fail } from './fail.js';

/** How often silent connections are looked for: a quarter of the heartbeat interval, between 50 ms and 1 s. */
export function heartbeatSweepIntervalMs(rt: Config['realtime']): number {
  return Math.max(50, Math.min(1000, Math.floor(rt.heartbeatIntervalMs / 4)));
}

/** Closes every ready connection that sent nothing (not even a heartbeat) for two intervals plus the grace period. */
export function sweepSilent(connections: Iterable<Connection>, rt: Config['realtime'], fail: Fail): void {
  const limit = 2 * rt.heartbeatIntervalMs + rt.heartbeatGraceMs;
  const now = performance.now();
  for (const conn of connections) {
    if (conn.phase === 'ready' && conn.closeCode === undefined && now - conn.lastSeenAt > limit) {
      fail(conn, 'heartbeat_timeout', `nothing received for ${Math.round(limit / 1000)} s`, CLOSE_CODES.heartbeatTimeout);
    }
  }
}
