import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { parse as parseCookies } from 'cookie';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import {
  CLIENT_MESSAGE_TYPES,
  CLOSE_CODES,
  EVENT_TYPES,
  TOPIC_OF_EVENT,
  clientMessageSchema,
  issuesToFieldErrors,
  type ClientMessage,
  type EventType,
  type Module,
  type ServerMessage,
  type Topic,
} from '../../../contracts/index.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { DatabaseHandle } from '../../db/handle.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { startSpan, withSpan } from '../../observability/tracing.js';
import type { Span } from '@opentelemetry/api';
import { sessionCookieName } from '../auth/auth.middleware.js';
import { forwarded, type Forwarded } from '../../http/forwarded.js';
import type { AuthService, EndedCredentials } from '../auth/auth.service.js';
import { denialReason, sentByOf, type Principal } from '../auth/principal.js';
import type { EventPublisher } from '../events/event-publisher.js';
import { eventsRepository } from '../events/events.repository.js';
import { retentionRepository } from '../events/retention.repository.js';
import type { StoredEvent } from '../events/stored-event.js';
import { metaRepository } from '../meta/meta.repository.js';
import { clientSessionsRepository, type SessionOp } from './client-sessions.repository.js';
import { withWriteTransaction } from '../../db/write-transaction.js';
import { CommitTimes } from './commit-times.js';
import { Connection } from './connection.js';
import type { SnapshotService } from './snapshot.service.js';
import { StaleMonitor, type ModuleFreshness } from './stale-monitor.js';

export interface GatewayDeps {
  config: Config;
  clock: Clock;
  db: DatabaseHandle;
  auth: AuthService;
  publisher: EventPublisher;
  snapshots: SnapshotService;
  metrics: Metrics;
  logger: Logger;
}

const REPLAY_PAGE = 1000;
/** Live events held for one connection during a snapshot or replay before it is told to resync instead. */
const MAX_HELD_EVENTS = 10_000;
const MAX_UNACKED = 10_000;
const MAX_PROTOCOL_ERRORS = 20;
const MAX_MESSAGES_PER_SECOND = 500;
const SESSION_FLUSH_MS = 1_000;
/** A single burst may queue up to this many times the sustained cap before the client is cut off. */
const BURST_FACTOR = 4;
/** How long a replaying client may take to read one page before it is considered stuck. */
const DRAIN_TIMEOUT_MS = 10_000;
const DRAIN_EVERY = 100;
/**
 * Connections of one commit round that get a ws.send span of their own. The ws.fanout span counts them all; with
 * 2,000 sockets a span each would cost more than the sends themselves.
 */
const MAX_SEND_SPANS = 16;

type Freshness = ModuleFreshness;

/**
 * The real-time gateway on /ws. Fed only by the publisher (committed events), it authenticates each socket with a
 * deadline, scopes it to its topics, replays what a reconnecting client missed or sends consistent snapshots, keeps
 * heartbeats, caps what a slow client may buffer, and pushes stale/sync state changes.
 */
export class RealtimeGateway {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<Connection>();
  private readonly commitTimes = new CommitTimes();
  private readonly staleMonitor: StaleMonitor;
  private readonly rt: Config['realtime'];
  private readonly forwarded: Forwarded;
  private epoch = '';
  private credentialsVersion = 0;
  private head = 0;
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void) | undefined;
  private unsubscribeEnded: (() => void) | undefined;
  private closing = false;
  private sessionOps: SessionOp[] = [];

  constructor(private readonly d: GatewayDeps) {
    this.rt = d.config.realtime;
    this.forwarded = forwarded(d.config.trustProxy);
    // Limits set here, not left to the library's defaults: a client message is a few hundred bytes in one frame, so a
    // peer that fragments (or floods tiny continuation frames before authenticating, GHSA-96hv-2xvq-fx4p) is cut off
    // after a handful of fragments instead of pinning memory per fragment.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.rt.maxMessageBytes, maxFragments: 64, maxBufferedChunks: 1024, perMessageDeflate: false });
    this.staleMonitor = new StaleMonitor(d.db, d.clock, { staleAfterIntervals: this.rt.staleAfterIntervals }, (module, f) => this.announce(module, f));
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async start(server: Server): Promise<void> {
    this.epoch = await metaRepository.epoch(this.d.db.read);
    this.head = await eventsRepository.headEventId(this.d.db.read);
    await clientSessionsRepository.closeOrphans(this.d.db.write, this.nowIso());
    await this.staleMonitor.evaluate();
    this.unsubscribe = this.d.publisher.subscribe((events) => this.onCommitted(events));
    this.unsubscribeEnded = this.d.auth.onCredentialsEnded((ended) => this.onCredentialsEnded(ended));
    server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.timers.push(t);
    };
    every(Math.max(50, Math.min(1000, Math.floor(this.rt.heartbeatIntervalMs / 4))), () => this.sweepSilent());
    every(this.rt.staleCheckIntervalMs, () => void this.staleMonitor.evaluate().catch((err: unknown) => this.d.logger.warn({ err }, 'staleness check failed')));
    every(SESSION_FLUSH_MS, () => void this.flushSessions());
    every(3600_000, () => void this.pruneSessions());
    every(this.rt.authRecheckIntervalMs, () => void this.recheckCredentials());
    this.credentialsVersion = await this.d.auth.credentialsVersion();
    every(this.rt.credentialsPollMs, () => void this.pollCredentialsVersion());
  }

  /** Another process (the CLI) disabled an account or revoked a key: every socket is re-checked now, not in a minute. */
  private async pollCredentialsVersion(): Promise<void> {
    const version = await this.d.auth.credentialsVersion().catch(() => this.credentialsVersion);
    if (version === this.credentialsVersion) return;
    this.credentialsVersion = version;
    await this.recheckCredentials();
  }

  async close(): Promise<void> {
    this.closing = true;
    this.unsubscribe?.();
    this.unsubscribeEnded?.();
    for (const t of this.timers) clearInterval(t);
    for (const c of this.connections) this.closeConnection(c, CLOSE_CODES.goingAway, 'server shutting down');
    await this.flushSessions();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  // ---------- connection lifecycle ----------

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/ws' || this.closing) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    const address = this.forwarded.address(req);
    const refused = this.overCap(address);
    if (refused) {
      this.d.metrics.wsClosed.inc({ code: 'refused' });
      socket.end(`HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${refused}\n`);
      return;
    }
    void this.cookiePrincipal(req).then((cookie) => {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, cookie, address));
    });
  }

  /** A browser may authenticate with its session cookie, but only from our own origin (no cross-site hijacking). */
  private async cookiePrincipal(req: IncomingMessage): Promise<{ principal: Principal; token: string } | undefined> {
    const header = req.headers.cookie;
    if (!header) return undefined;
    const origin = req.headers.origin;
    if (origin !== undefined) {
      try {
        if (new URL(origin).host !== req.headers.host) return undefined;
      } catch {
        return undefined;
      }
    }
    const token = parseCookies(header)[sessionCookieName(this.forwarded.secure(req))];
    if (!token || token.length > 512) return undefined;
    const principal = await this.d.auth.resolveToken(token).catch(() => undefined);
    return principal?.kind === 'user' ? { principal, token } : undefined;
  }

  /** Why a new socket is refused before the upgrade (caps overall, per address, and on sockets not yet signed in). */
  private overCap(address: string): string | null {
    if (this.connections.size >= this.rt.maxConnections) return 'too many open connections; retry later';
    let fromAddress = 0;
    let waiting = 0;
    for (const c of this.connections) {
      if (c.address === address) fromAddress++;
      if (c.phase === 'awaiting_auth') waiting++;
    }
    if (fromAddress >= this.rt.maxConnectionsPerAddress) return 'too many open connections from this address';
    if (waiting >= this.rt.maxUnauthenticated) return 'too many connections waiting to authenticate; retry later';
    return null;
  }

  private onConnection(ws: WebSocket, cookie: { principal: Principal; token: string } | undefined, address: string): void {
    const conn = new Connection(ws, performance.now(), address);
    this.connections.add(conn);
    ws.on('message', (data, isBinary) => this.onMessage(conn, data, isBinary));
    ws.on('close', (code) => this.onClosed(conn, code));
    ws.on('error', (err) => this.d.logger.debug({ err, connection: conn.id }, 'websocket error'));
    if (cookie) {
      this.authenticated(conn, cookie.principal, cookie.token);
    } else {
      conn.authTimer = setTimeout(() => {
        if (conn.phase === 'awaiting_auth') this.fail(conn, 'auth_timeout', `no auth message within ${this.rt.authTimeoutMs} ms`, CLOSE_CODES.unauthorized);
      }, this.rt.authTimeoutMs);
    }
  }

  private onClosed(conn: Connection, peerCode: number): void {
    clearTimeout(conn.authTimer);
    // A dead or stalled peer never answers our close frame (1006): what counts is why we closed it.
    const code = conn.closeCode ?? peerCode;
    const wasReady = conn.phase === 'ready';
    conn.phase = 'closed';
    this.connections.delete(conn);
    this.d.metrics.wsClosed.inc({ code: String(code) });
    if (wasReady) {
      this.d.metrics.wsConnectedSessions.dec();
      const state = code === CLOSE_CODES.heartbeatTimeout ? 'timed_out' : code === CLOSE_CODES.resyncNeeded ? 'cut_off' : 'closed';
      this.sessionOps.push({ kind: 'close', id: conn.id, state, at: this.nowIso() });
    }
    this.updateStaleRatio();
  }

  private closeConnection(conn: Connection, code: number, reason: string): void {
    if (conn.closeCode !== undefined) return;
    conn.closeCode = code;
    if (conn.ws.readyState === WebSocket.OPEN || conn.ws.readyState === WebSocket.CONNECTING) conn.ws.close(code, reason);
    // A peer that is gone or not reading never answers the close frame: do not wait for it.
    setTimeout(() => conn.ws.terminate(), 1000).unref();
  }

  /** Sends an error and, when it is not recoverable, closes with the given code. */
  private fail(conn: Connection, code: string, message: string, closeCode?: number): void {
    this.sendMessage(conn, { type: 'error', code, message, recoverable: closeCode === undefined });
    if (closeCode !== undefined) this.closeConnection(conn, closeCode, message.slice(0, 120));
  }

  private authenticated(conn: Connection, principal: Principal, token: string): void {
    const denied = denialReason(principal, 'read');
    if (denied) return this.fail(conn, 'forbidden', denied, CLOSE_CODES.forbidden);
    const who = sentByOf(principal);
    let mine = 0;
    for (const c of this.connections) if (c !== conn && c.phase === 'ready' && c.principal && sentByOf(c.principal) === who) mine++;
    if (mine >= this.rt.maxConnectionsPerPrincipal) {
      return this.fail(conn, 'too_many_connections', `this account or key already has ${mine} open connections`, CLOSE_CODES.tooManyConnections);
    }
    clearTimeout(conn.authTimer);
    conn.principal = principal;
    conn.token = token;
    conn.phase = 'ready';
    this.d.metrics.wsConnectedSessions.inc();
    this.sessionOps.push({ kind: 'open', id: conn.id, userId: principal.kind === 'user' ? principal.userId : null, at: this.nowIso() });
    this.sendMessage(conn, {
      type: 'welcome',
      sessionId: conn.id,
      epoch: this.epoch,
      headEventId: this.head,
      heartbeatIntervalMs: this.rt.heartbeatIntervalMs,
      serverTime: this.nowIso(),
    });
  }

  // ---------- inbound ----------

  private onMessage(conn: Connection, data: RawData, isBinary: boolean): void {
    if (conn.phase === 'closed') return;
    const now = performance.now();
    conn.lastSeenAt = now;
    if (now - conn.windowStart > 1000) {
      conn.windowStart = now;
      conn.windowCount = 0;
    }
    if (++conn.windowCount > MAX_MESSAGES_PER_SECOND) return this.fail(conn, 'rate_limited', `more than ${MAX_MESSAGES_PER_SECOND} messages per second`, CLOSE_CODES.protocolError);
    if (isBinary) return this.protocolError(conn, 'binary_frame', 'only JSON text frames are accepted');
    let raw: unknown;
    try {
      raw = JSON.parse(data.toString());
    } catch {
      return this.protocolError(conn, 'bad_json', 'the frame is not valid JSON');
    }
    const parsed = clientMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const type = (raw as { type?: unknown } | null)?.type;
      if (typeof type !== 'string' || !(CLIENT_MESSAGE_TYPES as readonly string[]).includes(type)) {
        return this.protocolError(conn, 'unknown_type', `unknown message type ${JSON.stringify(type)?.slice(0, 40) ?? 'undefined'}`);
      }
      const fields = issuesToFieldErrors(parsed.error).map((f) => `${f.path}: ${f.message}`);
      return this.protocolError(conn, 'invalid_message', `invalid ${type} message: ${fields.join('; ')}`);
    }
    const msg = parsed.data;
    if (conn.phase === 'awaiting_auth' && msg.type !== 'auth') {
      return this.fail(conn, 'unauthenticated', 'the first message must be auth', CLOSE_CODES.unauthorized);
    }
    this.dispatch(conn, msg);
  }

  private protocolError(conn: Connection, code: string, message: string): void {
    if (++conn.protocolErrors > MAX_PROTOCOL_ERRORS) return this.fail(conn, 'too_many_errors', 'too many protocol errors', CLOSE_CODES.protocolError);
    if (conn.phase === 'awaiting_auth') return this.fail(conn, code, message, CLOSE_CODES.unauthorized);
    this.fail(conn, code, message);
  }

  private dispatch(conn: Connection, msg: ClientMessage): void {
    switch (msg.type) {
      case 'auth':
        if (conn.phase === 'ready') return this.fail(conn, 'already_authenticated', 'this connection is already authenticated');
        void this.d.auth.resolveToken(msg.token).then(
          (principal) => {
            if (conn.phase !== 'awaiting_auth') return;
            if (!principal) return this.fail(conn, 'invalid_token', 'the token is invalid, revoked or expired', CLOSE_CODES.unauthorized);
            this.authenticated(conn, principal, msg.token);
          },
          (err: unknown) => {
            this.d.logger.error({ err }, 'token check failed');
            this.fail(conn, 'internal_error', 'could not check the token', CLOSE_CODES.unauthorized);
          },
        );
        return;
      case 'subscribe':
        for (const t of msg.topics) conn.topics.add(t);
        if (msg.resumeFrom) {
          const { lastAckEventId, epoch } = msg.resumeFrom;
          return this.serialize(conn, 'replay', () => this.resync(conn, lastAckEventId, epoch));
        }
        return this.serialize(conn, 'snapshot', () => this.sendSnapshots(conn, 'subscribe', 0));
      case 'heartbeat':
        conn.sessionDirty = true;
        return this.sendMessage(conn, { type: 'heartbeat', ts: msg.ts, serverTime: this.nowIso(), headEventId: this.head, lastEventId: conn.position });
      case 'resync_request':
        return this.serialize(conn, 'replay', () => this.resync(conn, msg.lastAckEventId, msg.epoch));
      case 'ack':
        return this.acknowledged(conn, msg.lastEventId);
    }
  }

  private acknowledged(conn: Connection, lastEventId: number): void {
    conn.lastAckEventId = Math.max(conn.lastAckEventId ?? 0, lastEventId);
    conn.sessionDirty = true;
    const now = performance.now();
    while (conn.unacked.length > 0 && conn.unacked[0]! <= lastEventId) {
      const committed = this.commitTimes.get(conn.unacked.shift()!);
      if (committed !== undefined) this.d.metrics.eventToUiLatency.observe(now - committed);
    }
  }

  // ---------- snapshots and replay ----------

  /**
   * Runs one snapshot/replay at a time per connection, holding live events back meanwhile. While one runs, further
   * requests coalesce into a single pending one (Connection.pending), so a flood of requests queues no work.
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
          for (const e of held) if (e.eventId > conn.position) this.sendEvent(conn, e);
        }
      })
      .catch((err: unknown) => {
        this.d.logger.error({ err, connection: conn.id }, 'snapshot or replay failed');
        this.fail(conn, 'internal_error', 'could not prepare your data; reconnect to retry', CLOSE_CODES.resyncNeeded);
      })
      .then(() => {
        if (!conn.pending || conn.phase !== 'ready') {
          conn.pending = null;
          conn.busy = false;
          return;
        }
        // Back-to-back requests run at most once per interval: a replay of thousands of events takes the event loop
        // for a while, and one client must not keep it busy for everyone else.
        const wait = Math.max(0, conn.lastOpStartedAt + this.rt.resyncMinIntervalMs - performance.now());
        setTimeout(() => {
          const next = conn.pending;
          conn.pending = null;
          if (next && conn.phase === 'ready') this.runSerialized(conn, next.op);
          else conn.busy = false;
        }, wait).unref();
      });
  }

  private async sendSnapshots(conn: Connection, reason: string, fromEventId: number): Promise<void> {
    const topics = [...conn.topics];
    const snap = await this.d.snapshots.take(topics);
    for (const module of topics) {
      this.sendMessage(conn, { type: 'snapshot', module, version: snap.version, data: snap.data[module], generatedAt: snap.generatedAt });
      await this.drained(conn);
    }
    conn.position = snap.version;
    this.sendMessage(conn, { type: 'resync_complete', recovered: false, fromEventId, toEventId: snap.version, reason });
    this.sendFreshness(conn);
  }

  /**
   * The current stale_state and sync_status of each subscribed topic. Freshness changes are pushed only when they
   * happen, so a client that was away (even one resumed by replay) must be told the present state.
   */
  private sendFreshness(conn: Connection): void {
    for (const module of conn.topics) {
      const f = this.staleMonitor.get(module);
      if (f) {
        this.sendMessage(conn, f.stale);
        this.sendMessage(conn, f.sync);
      }
    }
    this.updateStaleRatio();
  }

  private async resync(conn: Connection, lastAck: number, epoch: string): Promise<void> {
    const [head, oldest, prunedThrough] = await Promise.all([
      eventsRepository.headEventId(this.d.db.read),
      eventsRepository.oldestEventId(this.d.db.read),
      retentionRepository.prunedThrough(this.d.db.read),
    ]);
    const reason =
      epoch !== this.epoch
        ? 'epoch_changed'
        : lastAck > head
          ? 'ahead_of_head'
          : head - lastAck > this.rt.replayLimit
            ? 'gap_too_large'
            : (oldest !== null && lastAck < oldest - 1) || lastAck < prunedThrough
              ? 'pruned'
              : null;
    this.d.metrics.wsReconnectAttempts.inc({ recovered: String(reason === null) });
    if (reason !== null) return this.sendSnapshots(conn, reason, lastAck + 1);
    conn.position = lastAck;
    const types = EVENT_TYPES.filter((t) => conn.topics.has(TOPIC_OF_EVENT[t]));
    let cursor = lastAck;
    for (;;) {
      const page = await eventsRepository.listRange(this.d.db.read, cursor, head, types, REPLAY_PAGE);
      for (let i = 0; i < page.length; i++) {
        this.sendEvent(conn, page[i]!);
        // Let a reading client catch up every few events, so a small cap never cuts off a healthy one mid-page.
        if (i % DRAIN_EVERY === DRAIN_EVERY - 1) await this.drained(conn);
        if (conn.phase !== 'ready') return;
      }
      if (page.length < REPLAY_PAGE) break;
      cursor = page[page.length - 1]!.eventId;
    }
    conn.position = Math.max(conn.position, head);
    this.sendMessage(conn, { type: 'resync_complete', recovered: true, fromEventId: lastAck + 1, toEventId: head });
    this.sendFreshness(conn);
  }

  // ---------- outbound ----------

  /** A message that is not an event (no sequence number) to every ready connection subscribed to the topic. */
  broadcast(topic: Topic, msg: ServerMessage): void {
    const text = JSON.stringify(msg);
    for (const conn of this.connections) if (conn.phase === 'ready' && !conn.held && conn.topics.has(topic)) this.sendText(conn, text);
  }

  private onCommitted(events: readonly StoredEvent[]): void {
    const now = performance.now();
    let syncReported = false;
    for (const e of events) {
      this.commitTimes.record(e.eventId, now);
      if (e.eventId > this.head) this.head = e.eventId;
      if (e.type === 'sync.reported') {
        syncReported = true;
        if (e.payload.status === 'failed') this.d.metrics.syncFailures.inc({ module: e.payload.module });
      }
    }
    withSpan('ws.fanout', { 'bmad.events': events.length }, (fanout) => {
      // Counted for the span only; plain integer increments when tracing is off.
      const traced = fanout.isRecording();
      let sentTo = 0;
      let frames = 0;
      let held = 0;
      let cutOff = 0;
      let sendSpans = 0;
      for (const conn of this.connections) {
        if (conn.phase !== 'ready') continue;
        // Data still unsent from earlier rounds means the client is not reading: cut it off before queueing more.
        if (!conn.held && conn.ws.bufferedAmount > this.rt.sendBufferCapBytes) {
          this.cutOff(conn);
          cutOff++;
          continue;
        }
        let send: Span | undefined;
        const before = frames;
        const heldBefore = held;
        // One write per connection per commit round instead of one per event: corking coalesces the frames.
        const socket = (conn.ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
        socket?.cork();
        for (const e of events) {
          if (!conn.topics.has(TOPIC_OF_EVENT[e.type as EventType])) continue;
          if (conn.held) {
            if (conn.held.length >= MAX_HELD_EVENTS) {
              this.fail(conn, 'resync_needed', 'too many events arrived while preparing your data', CLOSE_CODES.resyncNeeded);
              break;
            }
            conn.held.push(e);
            held++;
          } else {
            // The span starts at a connection's first frame: sockets this round sends nothing to get none.
            if (traced && frames === before && sendSpans < MAX_SEND_SPANS) {
              send = startSpan('ws.send', { 'bmad.ws.session': conn.id });
              sendSpans++;
            }
            this.sendEvent(conn, e);
            frames++;
          }
        }
        socket?.uncork();
        if (frames > before || held > heldBefore) sentTo++;
        send?.setAttribute('bmad.ws.frames', frames - before);
        send?.end();
      }
      fanout.setAttributes({ 'bmad.ws.connections': sentTo, 'bmad.ws.frames': frames, 'bmad.ws.held': held, 'bmad.ws.cut_off': cutOff, 'bmad.ws.send_spans': sendSpans });
    });
    if (syncReported) void this.staleMonitor.evaluate().catch((err: unknown) => this.d.logger.warn({ err }, 'staleness check failed'));
  }

  /** Serialised once per event and reused for every connection; only prevEventId differs. */
  private readonly eventBodies = new WeakMap<StoredEvent, string>();

  private sendEvent(conn: Connection, e: StoredEvent): void {
    if (e.eventId <= conn.position) return;
    let body = this.eventBodies.get(e);
    if (body === undefined) {
      body = JSON.stringify({
        epoch: this.epoch,
        eventType: e.type,
        module: TOPIC_OF_EVENT[e.type],
        entityType: e.entityType,
        entityId: e.entityId,
        occurredAt: e.occurredAt,
        source: e.source,
        sourceEventId: e.sourceEventId,
        payload: e.payload,
        lineageRef: `event:${e.eventId}`,
      }).slice(1);
      this.eventBodies.set(e, body);
    }
    const prev = conn.position;
    conn.position = e.eventId;
    if (conn.unacked.length >= MAX_UNACKED) conn.unacked.shift();
    conn.unacked.push(e.eventId);
    this.sendText(conn, `{"type":"event","eventId":${e.eventId},"prevEventId":${prev},${body}`);
  }

  private sendMessage(conn: Connection, msg: ServerMessage): void {
    this.sendText(conn, JSON.stringify(msg));
  }

  /**
   * Queues a frame. One burst (a commit round, a replay page, a snapshot) may go past the sustained cap, but never past
   * BURST_FACTOR times it: that bounds what one connection can hold in server memory.
   */
  private sendText(conn: Connection, text: string): void {
    const ws = conn.ws;
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > BURST_FACTOR * this.rt.sendBufferCapBytes) return this.cutOff(conn);
    ws.send(text);
  }

  /** Waits until the client has read what was queued (between replay pages), or cuts it off if it does not. */
  private async drained(conn: Connection): Promise<void> {
    const deadline = performance.now() + DRAIN_TIMEOUT_MS;
    while (conn.phase === 'ready' && conn.ws.bufferedAmount > this.rt.sendBufferCapBytes / 2) {
      if (performance.now() > deadline) return this.cutOff(conn);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** The client stopped reading: stop queueing for it, so server memory stays bounded, and tell it to resync. */
  private cutOff(conn: Connection): void {
    if (conn.phase === 'closed') return;
    if (conn.phase === 'ready') this.d.metrics.wsConnectedSessions.dec();
    conn.phase = 'closed';
    this.connections.delete(conn);
    this.sessionOps.push({ kind: 'close', id: conn.id, state: 'cut_off', at: this.nowIso() });
    this.closeConnection(conn, CLOSE_CODES.resyncNeeded, 'send buffer over the cap: reconnect and resync');
  }

  private announce(module: Module, f: Freshness): void {
    for (const conn of this.connections) {
      if (conn.phase !== 'ready' || !(conn.topics.has(module) || conn.topics.has('sync'))) continue;
      this.sendMessage(conn, f.stale);
      this.sendMessage(conn, f.sync);
    }
    this.updateStaleRatio();
  }

  // ---------- background ----------

  private sweepSilent(): void {
    const limit = 2 * this.rt.heartbeatIntervalMs + this.rt.heartbeatGraceMs;
    const now = performance.now();
    for (const conn of this.connections) {
      if (conn.phase === 'ready' && conn.closeCode === undefined && now - conn.lastSeenAt > limit) {
        this.fail(conn, 'heartbeat_timeout', `nothing received for ${Math.round(limit / 1000)} s`, CLOSE_CODES.heartbeatTimeout);
      }
    }
  }

  private updateStaleRatio(): void {
    let ready = 0;
    let stale = 0;
    for (const conn of this.connections) {
      if (conn.phase !== 'ready') continue;
      ready++;
      for (const t of conn.topics) {
        if (this.staleMonitor.isStale(t as Topic)) {
          stale++;
          break;
        }
      }
    }
    this.d.metrics.staleSessionsRatio.set(ready === 0 ? 0 : stale / ready);
  }

  /**
   * Writes session bookkeeping (opens, heartbeats/acks, closes) in one transaction per flush: one fsync for all of
   * them, instead of one per connection stalling the event loop during a reconnect storm.
   */
  private async flushSessions(): Promise<void> {
    const ops = this.sessionOps.splice(0);
    for (const conn of this.connections) {
      if (!conn.sessionDirty || conn.phase !== 'ready') continue;
      conn.sessionDirty = false;
      ops.push({ kind: 'touch', id: conn.id, at: this.nowIso(), lastAckEventId: conn.lastAckEventId });
    }
    if (ops.length === 0) return;
    await withWriteTransaction(this.d.db, { maxRetries: 3, retryDelayMs: 25 }, (trx) => clientSessionsRepository.apply(trx, ops)).catch((err: unknown) =>
      this.d.logger.warn({ err }, 'session flush failed'),
    );
  }

  /**
   * A session that expired or a key that was revoked after the connection authenticated must not keep streaming. This
   * periodic pass is what catches changes made elsewhere (the CLI runs in its own process) and plain expiry.
   */
  private recheckCredentials(): Promise<void> {
    return this.recheck([...this.connections]);
  }

  /**
   * A manager in this process disabled an account, ended its sessions or reset its password (or revoked a key): its
   * sockets are checked now rather than at the next periodic pass. Each is re-resolved, not closed blindly, so the
   * session that changed its own password keeps streaming while the others end.
   */
  private onCredentialsEnded(ended: EndedCredentials): void {
    const affected = [...this.connections].filter((c) => {
      const p = c.principal;
      return ended.kind === 'user' ? p?.kind === 'user' && p.userId === ended.userId : p?.kind === 'key' && p.keyId === ended.keyId;
    });
    if (affected.length > 0) void this.recheck(affected);
  }

  private async recheck(connections: readonly Connection[]): Promise<void> {
    for (const conn of connections) {
      if (conn.phase !== 'ready' || conn.token === undefined) continue;
      const principal = await this.d.auth.resolveToken(conn.token).catch(() => undefined);
      if (!principal && conn.phase === 'ready') {
        this.fail(conn, 'credentials_expired', 'the session ended or expired, or the key was revoked: sign in again', CLOSE_CODES.unauthorized);
      }
    }
  }

  private async pruneSessions(): Promise<void> {
    const before = new Date(this.d.clock.now().getTime() - this.rt.closedSessionRetentionHours * 3600_000).toISOString();
    await clientSessionsRepository.pruneClosedBefore(this.d.db.write, before).catch((err: unknown) => this.d.logger.warn({ err }, 'session pruning failed'));
  }

  private nowIso(): string {
    return this.d.clock.now().toISOString();
  }
}
