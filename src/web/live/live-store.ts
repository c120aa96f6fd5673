import type { StaleStateMessage, SyncStatusMessage, Topic } from '../../contracts/index.js';
import type { ConnectionState } from '../realtime/realtime-client.js';

export interface LiveState {
  connection: ConnectionState;
  /** Why the connection is in its state (close code, "heartbeat answers missing", ...). */
  detail: string | undefined;
  /** When live data stopped flowing (epoch ms); undefined while live. */
  lostAt: number | undefined;
  attempts: number;
  nextAttemptAt: number | undefined;
  /** Set when the connection leaves `live`; cleared only by a completed resync followed by a fresh server message. */
  awaitingFresh: boolean;
  everLive: boolean;
  serverStale: Partial<Record<Topic, StaleStateMessage>>;
  sync: Partial<Record<Topic, SyncStatusMessage>>;
  /** When the data was last re-read because the gap could not be replayed (shown as "reloaded"). */
  reloadedAt: number | undefined;
}

const INITIAL: LiveState = {
  connection: 'closed',
  detail: undefined,
  lostAt: undefined,
  attempts: 0,
  nextAttemptAt: undefined,
  awaitingFresh: false,
  everLive: false,
  serverStale: {},
  sync: {},
  reloadedAt: undefined,
};

/** A tiny external store for useSyncExternalStore: one immutable state object, replaced on every change. */
export class LiveStore {
  private state: LiveState = INITIAL;
  private readonly listeners = new Set<() => void>();

  get = (): LiveState => this.state;

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  update(patch: Partial<LiveState> | ((s: LiveState) => Partial<LiveState>)): void {
    const p = typeof patch === 'function' ? patch(this.state) : patch;
    this.state = { ...this.state, ...p };
    for (const fn of this.listeners) fn();
  }
}

export interface Staleness {
  stale: boolean;
  /** Epoch ms or ISO instant the data has been stale since, when known. */
  since: number | string | null;
  reason: string | null;
  kind: 'connection' | 'source' | null;
}

/** Whether a module's data on screen may be out of date, and why: the one rule every banner and badge uses. */
export function stalenessOf(s: LiveState, module: Topic): Staleness {
  const connectionLost = s.connection !== 'live' || s.awaitingFresh;
  // Before the first live moment the page shows what REST just returned: fresh, merely not yet live.
  if (connectionLost && (s.everLive || s.connection === 'degraded' || s.connection === 'unauthorized')) {
    return { stale: true, since: s.lostAt ?? null, reason: describeConnection(s), kind: 'connection' };
  }
  const server = s.serverStale[module];
  if (server?.isStale) return { stale: true, since: server.lastSuccessfulUpdateAt, reason: server.reason, kind: 'source' };
  return { stale: false, since: null, reason: null, kind: null };
}

export function describeConnection(s: LiveState): string {
  switch (s.connection) {
    case 'live':
      return s.awaitingFresh ? 'catching up after reconnecting' : 'live';
    case 'connecting':
      return 'connecting to the server';
    case 'syncing':
      return 'catching up on missed updates';
    case 'reconnecting':
      return `connection lost (${s.detail ?? 'no reason given'}); reconnecting, attempt ${s.attempts}`;
    case 'degraded':
      return `could not reconnect after ${s.attempts} attempts (${s.detail ?? 'no reason given'})`;
    case 'unauthorized':
      return 'your session has ended; sign in again';
    case 'closed':
      return 'not connected';
  }
}
