import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { CLOSE_CODES, type ClientMessage, type ServerMessage, type Topic } from '../../../contracts/index.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { DatabaseHandle } from '../../db/handle.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { forwarded, type Forwarded } from '../../http/forwarded.js';
import type { AuthService } from '../auth/index.js';
import { denialReason, type Principal } from '../auth/index.js';
import type { EventPublisher } from '../events/index.js';
import { eventsRepository } from '../events/index.js';
import type { StoredEvent } from '../events/index.js';
import { metaRepository } from '../meta/index.js';
import { sentByOf } from '../auth/index.js';
import { CommitTimes } from './commit-times.js';
import { Connection } from './connection.js';
import { admissionRefusal, cookiePrincipal, CredentialsWatch, openConnectionsOf, type CookieCredentials } from './connection-auth.js';
import { fanOut } from './fanout.js';
import { FreshnessPush } from './freshness-push.js';
import { heartbeatSweepIntervalMs, sweepSilent } from './heartbeats.js';
import { readClientMessage } from './message-protocol.js';
import { ReplayCoordinator } from './replay.js';
import { SendQueue } from './send-queue.js';
import { ClientSessionLog, SESSION_FLUSH_MS } from './session-log.js';
import type { SnapshotService } from './snapshot.service.js';
import { StaleMonitor } from './stale-monitor.js';

export interface GatewayDeps {
  config: Config;
  clock: Clock;
  db: DatabaseHandle;
  auth: AuthService;
  publisher: EventPublisher;
  snapshots: SnapshotService;
  metrics: Metrics;
  logger: Logger;
  /** Connections other instances hold, per principal (`sentBy`), for the cap; absent on a single instance. */
  presence?: { elsewhere(principal: string): number };
}

/**
 * The real-time gateway on /ws. Fed only by the publisher (committed events), it authenticates each socket with a
 * deadline, scopes it to its topics, replays what a reconnecting client missed or sends consistent snapshots, keeps
 * heartbeats, caps what a slow client may buffer, and pushes stale/sync state changes.
 *
 * This class owns the connection set and lifecycle and composes the parts: connection-auth (cookie, admission caps,
 * credential re-checks), message-protocol (inbound frames), replay (snapshots and replay), send-queue (outbound frames
 * and backpressure), fanout (commit rounds), freshness-push (stale/sync state), heartbeats and session-log.
 */
export class RealtimeGateway {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<Connection>();
  private readonly commitTimes = new CommitTimes();
  private readonly staleMonitor: StaleMonitor;
  private readonly rt: Config['realtime'];
  private readonly forwarded: Forwarded;
  private readonly send: SendQueue;
  private readonly freshness: FreshnessPush;
  private readonly replay: ReplayCoordinator;
  private readonly sessions: ClientSessionLog;
  private readonly credentials: CredentialsWatch;
  private epoch = '';
  private head = 0;
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void) | undefined;
  private unsubscribeEnded: (() => void) | undefined;
  private closing = false;

  constructor(private readonly d: GatewayDeps) {
    this.rt = d.config.realtime;
    this.forwarded = forwarded(d.config.trustProxy);
    // Limits set here, not left to the library's defaults: a client message is a few hundred bytes in one frame, so a
    // peer that fragments (or floods tiny continuation frames before authenticating, GHSA-96hv-2xvq-fx4p) is cut off
    // after a handful of fragments instead of pinning memory per fragment.
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.rt.maxMessageBytes,
      maxFragments: 64,
      maxBufferedChunks: 1024,
      perMessageDeflate: false,
    });
    const fail = this.fail.bind(this);
    const connections = () => this.connections;
    this.send = new SendQueue(
      this.rt.sendBufferCapBytes,
      () => this.epoch,
      (conn) => this.cutOff(conn),
    );
    this.freshness = new FreshnessPush(connections, () => this.staleMonitor, this.send, d.metrics);
    this.staleMonitor = new StaleMonitor(d.db, d.clock, { staleAfterIntervals: this.rt.staleAfterIntervals }, (module, f) =>
      this.freshness.announce(module, f),
    );
    this.replay = new ReplayCoordinator({ ...d, rt: this.rt, epoch: () => this.epoch, send: this.send, freshness: this.freshness, fail });
    this.sessions = new ClientSessionLog(d.db, d.clock, d.logger, this.rt.closedSessionRetentionHours);
    this.credentials = new CredentialsWatch(d.auth, connections, fail);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Ready connections per principal (`sentBy`): what this instance reports to the others for the cap. */
  connectionsByPrincipal(): Map<string, number> {
    const out = new Map<string, number>();
    for (const c of this.connections) {
      if (c.phase !== 'ready' || !c.principal) continue;
      const who = sentByOf(c.principal);
      out.set(who, (out.get(who) ?? 0) + 1);
    }
    return out;
  }

  async start(server: Server): Promise<void> {
    this.epoch = await metaRepository.epoch(this.d.db.read);
    this.head = await eventsRepository.headEventId(this.d.db.read);
    await this.sessions.closeOrphans();
    await this.staleMonitor.evaluate();
    this.unsubscribe = this.d.publisher.subscribe((events) => this.onCommitted(events));
    this.unsubscribeEnded = this.d.auth.onCredentialsEnded((ended) => this.credentials.onEnded(ended));
    server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.timers.push(t);
    };
    every(heartbeatSweepIntervalMs(this.rt), () => sweepSilent(this.connections, this.rt, (c, code, m, close) => this.fail(c, code, m, close)));
    every(this.rt.staleCheckIntervalMs, () => this.evaluateStaleness());
    every(SESSION_FLUSH_MS, () => void this.sessions.flush(this.connections));
    every(3600_000, () => void this.sessions.prune());
    every(this.rt.authRecheckIntervalMs, () => void this.credentials.recheckAll());
    await this.credentials.init();
    every(this.rt.credentialsPollMs, () => void this.credentials.poll());
  }

  async close(): Promise<void> {
    this.closing = true;
    this.unsubscribe?.();
    this.unsubscribeEnded?.();
    for (const t of this.timers) clearInterval(t);
    for (const c of this.connections) this.closeConnection(c, CLOSE_CODES.goingAway, 'server shutting down');
    await this.sessions.flush(this.connections);
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
    const refused = admissionRefusal(this.connections, address, this.rt);
    if (refused) {
      this.d.metrics.wsClosed.inc({ code: 'refused' });
      socket.end(`HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${refused}\n`);
      return;
    }
    void cookiePrincipal(req, this.d.auth, this.forwarded).then((cookie) => {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, cookie, address));
    });
  }

  private onConnection(ws: WebSocket, cookie: CookieCredentials | undefined, address: string): void {
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
      this.sessions.record({ kind: 'close', id: conn.id, state, at: this.nowIso() });
    }
    this.freshness.updateStaleRatio();
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
    this.send.sendMessage(conn, { type: 'error', code, message, recoverable: closeCode === undefined });
    if (closeCode !== undefined) this.closeConnection(conn, closeCode, message.slice(0, 120));
  }

  private authenticated(conn: Connection, principal: Principal, token: string): void {
    const denied = denialReason(principal, 'read');
    if (denied) return this.fail(conn, 'forbidden', denied, CLOSE_CODES.forbidden);
    const mine = openConnectionsOf(this.connections, conn, principal) + (this.d.presence?.elsewhere(sentByOf(principal)) ?? 0);
    if (mine >= this.rt.maxConnectionsPerPrincipal) {
      return this.fail(conn, 'too_many_connections', `this account or key already has ${mine} open connections`, CLOSE_CODES.tooManyConnections);
    }
    clearTimeout(conn.authTimer);
    conn.principal = principal;
    conn.token = token;
    conn.phase = 'ready';
    this.d.metrics.wsConnectedSessions.inc();
    this.sessions.record({ kind: 'open', id: conn.id, userId: principal.kind === 'user' ? principal.userId : null, at: this.nowIso() });
    this.send.sendMessage(conn, {
      type: 'welcome',
      sessionId: conn.id,
      epoch: this.epoch,
      headEventId: this.head,
      heartbeatIntervalMs: this.rt.heartbeatIntervalMs,
      serverTime: this.nowIso(),
    });
  }

  /** The client stopped reading: stop queueing for it, so server memory stays bounded, and tell it to resync. */
  private cutOff(conn: Connection): void {
    if (conn.phase === 'closed') return;
    if (conn.phase === 'ready') this.d.metrics.wsConnectedSessions.dec();
    conn.phase = 'closed';
    this.connections.delete(conn);
    this.sessions.record({ kind: 'close', id: conn.id, state: 'cut_off', at: this.nowIso() });
    this.closeConnection(conn, CLOSE_CODES.resyncNeeded, 'send buffer over the cap: reconnect and resync');
  }

  // ---------- inbound ----------

  private onMessage(conn: Connection, data: RawData, isBinary: boolean): void {
    if (conn.phase === 'closed') return;
    const msg = readClientMessage(conn, data, isBinary, (c, code, m, close) => this.fail(c, code, m, close));
    if (msg) this.dispatch(conn, msg);
  }

  private dispatch(conn: Connection, msg: ClientMessage): void {
    switch (msg.type) {
      case 'auth':
        if (conn.phase === 'ready') return this.fail(conn, 'already_authenticated', 'this connection is already authenticated');
        return this.authenticate(conn, msg.token);
      case 'subscribe':
        for (const t of msg.topics) conn.topics.add(t);
        if (msg.resumeFrom) return this.replay.replay(conn, msg.resumeFrom.lastAckEventId, msg.resumeFrom.epoch);
        return this.replay.snapshot(conn, 'subscribe', 0);
      case 'heartbeat':
        conn.sessionDirty = true;
        return this.send.sendMessage(conn, { type: 'heartbeat', ts: msg.ts, serverTime: this.nowIso(), headEventId: this.head, lastEventId: conn.position });
      case 'resync_request':
        return this.replay.replay(conn, msg.lastAckEventId, msg.epoch);
      case 'ack':
        return this.acknowledged(conn, msg.lastEventId);
    }
  }

  private authenticate(conn: Connection, token: string): void {
    void this.d.auth.resolveToken(token).then(
      (principal) => {
        if (conn.phase !== 'awaiting_auth') return;
        if (!principal) return this.fail(conn, 'invalid_token', 'the token is invalid, revoked or expired', CLOSE_CODES.unauthorized);
        this.authenticated(conn, principal, token);
      },
      (err: unknown) => {
        this.d.logger.error({ err }, 'token check failed');
        this.fail(conn, 'internal_error', 'could not check the token', CLOSE_CODES.unauthorized);
      },
    );
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

  // ---------- outbound ----------

  /** A message that is not an event (no sequence number) to every ready connection subscribed to the topic. */
  broadcast(topic: Topic, msg: ServerMessage): void {
    const text = JSON.stringify(msg);
    for (const conn of this.connections) if (conn.phase === 'ready' && !conn.held && conn.topics.has(topic)) this.send.sendText(conn, text);
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
    fanOut(events, this.connections, { send: this.send, cutOff: (c) => this.cutOff(c), fail: (c, code, m, close) => this.fail(c, code, m, close) });
    if (syncReported) this.evaluateStaleness();
  }

  private evaluateStaleness(): void {
    void this.staleMonitor.evaluate().catch((err: unknown) => this.d.logger.warn({ err }, 'staleness check failed'));
  }

  private nowIso(): string {
    return this.d.clock.now().toISOString();
  }
}
