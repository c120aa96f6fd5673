import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { Topic } from '../../../contracts/index.js';
import type { Principal } from '../auth/index.js';
import type { StoredEvent } from '../events/index.js';

/** Per-connection state. The gateway owns all behaviour; this is the data it keeps per socket. */
export class Connection {
  readonly id = randomUUID();
  principal: Principal | undefined;
  /** The credential the connection authenticated with, re-checked periodically. */
  token: string | undefined;
  phase: 'awaiting_auth' | 'ready' | 'closed' = 'awaiting_auth';
  readonly topics = new Set<Topic>();
  /**
   * The connection's position: every event on its topics up to here has been sent. Advances with each event sent, and
   * jumps to `toEventId` at resync_complete (the client does the same), so `prevEventId` lets the client see a gap.
   */
  position = 0;
  lastSeenAt: number;
  /** Live events held back while a snapshot or replay is being sent; null when live. */
  held: StoredEvent[] | null = null;
  /** Snapshot and replay operations run one at a time per connection. */
  queue: Promise<void> = Promise.resolve();
  /** Whether one is running now. */
  busy = false;
  /**
   * The one operation waiting behind it: later requests coalesce into it (a snapshot wins over a replay, a newer replay
   * over an older one), so a client that floods resync requests costs one pending operation, not ten thousand.
   */
  pending: { kind: 'snapshot' | 'replay'; op: () => Promise<void> } | null = null;
  /** When the last one started (performance.now()): a pending one waits for the minimum interval after it. */
  lastOpStartedAt = -Infinity;
  protocolErrors = 0;
  /** Sent, not yet acknowledged event ids (for the commit-to-ack latency), oldest first. */
  readonly unacked: number[] = [];
  lastAckEventId: number | null = null;
  sessionDirty = false;
  authTimer: NodeJS.Timeout | undefined;
  /** Set when the server starts closing: the code it sent, which the peer may never echo back. */
  closeCode: number | undefined;
  windowStart = 0;
  windowCount = 0;

  constructor(
    readonly ws: WebSocket,
    now: number,
    /** The peer's socket address (connection caps are per address). */
    readonly address: string = '',
  ) {
    this.lastSeenAt = now;
  }
}
