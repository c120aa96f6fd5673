import {
  CLOSE_CODES,
  serverMessageSchema,
  type ClientMessage,
  type EventMessage,
  type ResyncCompleteMessage,
  type ServerMessage,
  type SnapshotMessage,
  type StaleStateMessage,
  type SyncStatusMessage,
  type Topic,
} from '../../contracts/index.js';
import { backoffDelay } from './backoff.js';

/** The subset of the WebSocket API the client uses: the browser's, or the `ws` package's in Node. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export type ConnectionState =
  /** Opening the socket or authenticating. */
  | 'connecting'
  /** Receiving a snapshot or replay: data is not current yet. */
  | 'syncing'
  | 'live'
  /** Waiting to reconnect after a failure. */
  | 'reconnecting'
  /** Gave up after maxAttempts; retryNow() starts again. */
  | 'degraded'
  /** The server refused the credentials (4401/4403): reconnecting would not help. */
  | 'unauthorized'
  | 'closed';

export interface RealtimeClientOptions {
  url: string;
  /**
   * Called on every (re)connect, so a refreshed token is used. Without it the client relies on the browser's session
   * cookie, which the server checks on the upgrade request (same origin only).
   */
  token?: () => string | Promise<string>;
  topics: Topic[];
  createSocket: (url: string) => SocketLike;
  /** Injected for tests; defaults Math.random and Date.now. */
  random?: () => number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  baseDelayMs?: number;
  maxDelayMs?: number;
  maxAttempts?: number;
  /** How often the client acknowledges what it applied. */
  ackIntervalMs?: number;
  /** How long a connection attempt may take to reach `welcome` before it is abandoned (default: two known heartbeat intervals, 2–10 s). */
  connectTimeoutMs?: number;
}

export interface RealtimeHandlers {
  onState?(state: ConnectionState, detail?: string): void;
  onSnapshot?(msg: SnapshotMessage): void;
  onEvent?(msg: EventMessage): void;
  onResyncComplete?(msg: ResyncCompleteMessage): void;
  onStaleState?(msg: StaleStateMessage): void;
  onSyncStatus?(msg: SyncStatusMessage): void;
  onProtocolError?(code: string, message: string): void;
}

const OPEN = 1;

/**
 * The browser side of the real-time protocol: authenticates, subscribes, keeps a gap-free position (each event's
 * prevEventId must equal the last one applied), resyncs on a gap, answers nothing it does not understand, sends
 * heartbeats and treats two missed answers as a dead connection, and reconnects with jittered backoff, resuming from
 * its position so only the missed events are replayed.
 */
export class RealtimeClient {
  private socket: SocketLike | undefined;
  private state: ConnectionState = 'closed';
  private position = 0;
  private epoch: string | undefined;
  private attempt = 0;
  private resyncing = false;
  private heartbeatIntervalMs = 15_000;
  private heartbeatTimer: unknown;
  private reconnectTimer: unknown;
  private connectTimer: unknown;
  private ackTimer: unknown;
  private lastHeartbeatAnswer = 0;
  private reconnectDueAt: number | undefined;
  private lastAcked = 0;
  private stopped = false;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(
    private readonly opts: RealtimeClientOptions,
    private readonly handlers: RealtimeHandlers = {},
  ) {
    this.random = opts.random ?? Math.random;
    this.now = opts.now ?? Date.now;
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  /** Reconnect attempts made since the connection was last live (what a status line shows). */
  get attempts(): number {
    return this.attempt;
  }

  /** When the next reconnect attempt is due (epoch ms), while reconnecting. */
  get nextAttemptAt(): number | undefined {
    return this.state === 'reconnecting' ? this.reconnectDueAt : undefined;
  }

  /** The last event sequence applied (or the snapshot/replay position reached). */
  get lastEventId(): number {
    return this.position;
  }

  connect(): void {
    this.stopped = false;
    void this.open();
  }

  /** From "degraded" (or any waiting state): try again now, with a fresh attempt budget. */
  retryNow(): void {
    if (this.state === 'live' || this.state === 'syncing' || this.state === 'connecting') return;
    this.clearTimer(this.reconnectTimer);
    this.attempt = 0;
    this.connect();
  }

  close(): void {
    this.stopped = true;
    this.teardown();
    this.setState('closed');
  }

  private setState(state: ConnectionState, detail?: string): void {
    if (this.state === state) return;
    this.state = state;
    this.handlers.onState?.(state, detail);
  }

  private async open(): Promise<void> {
    this.teardown();
    this.setState('connecting');
    let token: string | undefined;
    try {
      token = this.opts.token ? await this.opts.token() : undefined;
    } catch {
      return this.scheduleReconnect('could not get a token');
    }
    if (this.stopped) return;
    const socket = this.opts.createSocket(this.opts.url);
    this.socket = socket;
    // An attempt swallowed by a dead path would otherwise wait forever: nothing else watches it before welcome.
    this.connectTimer = this.setTimer(
      () => {
        if (this.socket !== socket) return;
        this.abandon(socket);
        this.scheduleReconnect('connect timeout');
      },
      this.opts.connectTimeoutMs ?? Math.min(10_000, Math.max(2_000, 2 * this.heartbeatIntervalMs)),
    );
    socket.onopen = () => {
      if (token !== undefined) this.send({ type: 'auth', token });
    };
    socket.onmessage = (ev) => this.onMessage(ev.data);
    socket.onerror = () => undefined;
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.stopTimers();
      if (this.stopped) return;
      if (ev.code === CLOSE_CODES.unauthorized || ev.code === CLOSE_CODES.forbidden) {
        this.setState('unauthorized', ev.reason);
        return;
      }
      this.scheduleReconnect(`closed (${ev.code})`);
    };
  }

  private scheduleReconnect(reason: string): void {
    if (this.stopped) return;
    if (this.attempt >= (this.opts.maxAttempts ?? 10)) {
      this.setState('degraded', reason);
      return;
    }
    const delay = backoffDelay(this.attempt++, this.opts.baseDelayMs ?? 500, this.opts.maxDelayMs ?? 30_000, this.random);
    this.reconnectDueAt = this.now() + delay;
    this.setState('reconnecting', reason);
    this.reconnectTimer = this.setTimer(() => void this.open(), delay);
  }

  private onMessage(data: unknown): void {
    let parsed: ServerMessage;
    try {
      const result = serverMessageSchema.safeParse(JSON.parse(String(data)));
      if (!result.success) return;
      parsed = result.data;
    } catch {
      return;
    }
    switch (parsed.type) {
      case 'welcome':
        return this.onWelcome(parsed.epoch, parsed.heartbeatIntervalMs);
      case 'snapshot':
        return this.handlers.onSnapshot?.(parsed);
      case 'event':
        return this.onEvent(parsed);
      case 'resync_complete':
        this.position = parsed.toEventId;
        this.resyncing = false;
        this.attempt = 0;
        this.setState('live');
        this.handlers.onResyncComplete?.(parsed);
        return this.scheduleAck(0);
      case 'heartbeat':
        this.lastHeartbeatAnswer = this.now();
        // An idle connection learns of a missed event from the server's position in the heartbeat.
        if (!this.resyncing && this.state === 'live' && parsed.lastEventId > this.position) this.requestResync();
        return;
      case 'stale_state':
        return this.handlers.onStaleState?.(parsed);
      case 'sync_status':
        return this.handlers.onSyncStatus?.(parsed);
      case 'error':
        return this.handlers.onProtocolError?.(parsed.code, parsed.message);
    }
  }

  private onWelcome(epoch: string, heartbeatIntervalMs: number): void {
    this.clearTimer(this.connectTimer);
    this.heartbeatIntervalMs = heartbeatIntervalMs;
    const resume = this.epoch !== undefined && this.position > 0;
    this.setState('syncing');
    this.resyncing = true;
    this.send({
      type: 'subscribe',
      topics: this.opts.topics,
      ...(resume ? { resumeFrom: { lastAckEventId: this.position, epoch: this.epoch! } } : {}),
    });
    this.epoch = epoch;
    this.lastHeartbeatAnswer = this.now();
    this.beat();
  }

  private onEvent(msg: EventMessage): void {
    if (msg.prevEventId !== this.position) {
      // During a resync, events that do not continue our chain were sent before the server saw the request.
      if (!this.resyncing) this.requestResync();
      return;
    }
    this.position = msg.eventId;
    this.handlers.onEvent?.(msg);
    this.scheduleAck(this.opts.ackIntervalMs ?? 100);
  }

  private requestResync(): void {
    if (!this.epoch) return;
    this.resyncing = true;
    this.setState('syncing');
    this.send({ type: 'resync_request', lastAckEventId: this.position, epoch: this.epoch });
  }

  private scheduleAck(ms: number): void {
    if (this.ackTimer !== undefined) return;
    this.ackTimer = this.setTimer(() => {
      this.ackTimer = undefined;
      if (this.position > this.lastAcked) {
        this.lastAcked = this.position;
        this.send({ type: 'ack', lastEventId: this.position });
      }
    }, ms);
  }

  /** Sends a heartbeat each interval; two intervals without an answer mean the path is dead. */
  private beat(): void {
    this.heartbeatTimer = this.setTimer(() => {
      if (!this.socket) return;
      if (this.now() - this.lastHeartbeatAnswer > 2 * this.heartbeatIntervalMs) {
        this.abandon(this.socket);
        return this.scheduleReconnect('heartbeat answers missing');
      }
      this.send({ type: 'heartbeat', ts: this.now() });
      this.beat();
    }, this.heartbeatIntervalMs);
  }

  /** Drops a socket we no longer trust; late frames from it must not reach the handlers. */
  private abandon(socket: SocketLike): void {
    if (this.socket === socket) this.socket = undefined;
    this.stopTimers();
    socket.onclose = null;
    socket.onmessage = null;
    socket.onopen = null;
    socket.close(4000, 'abandoned by the client');
  }

  private send(msg: ClientMessage): void {
    if (this.socket && this.socket.readyState === OPEN) this.socket.send(JSON.stringify(msg));
  }

  private stopTimers(): void {
    this.clearTimer(this.connectTimer);
    this.clearTimer(this.heartbeatTimer);
    this.clearTimer(this.ackTimer);
    this.heartbeatTimer = undefined;
    this.ackTimer = undefined;
    this.lastAcked = 0;
  }

  private teardown(): void {
    this.stopTimers();
    this.clearTimer(this.reconnectTimer);
    const s = this.socket;
    this.socket = undefined;
    if (s) {
      s.onclose = null;
      s.onmessage = null;
      s.onopen = null;
      s.close(1000, 'client closing');
    }
  }
}
