/**
 * Many dashboard clients in one process: `ws` clients speaking our /ws protocol (to our server or the ws ceiling) or
 * socket.io-client clients (to the Socket.IO peer). It records when each event message arrived, on each client, and
 * computes latency and delivery figures once the bench hands it the send and publish times of every event.
 * Usage (forked by realtime.bench.ts): node --import tsx bench/realtime/client-swarm.ts
 */
import { io as ioConnect, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { packSamples, summarise, type LatencySummary } from './latency.js';
import { serveRpc } from './rpc.js';

export type SystemKind = 'ours' | 'ws' | 'socketio';

export interface ConnectArgs {
  kind: SystemKind;
  url: string;
  token: string;
  count: number;
  topics: string[];
  /** Handshakes in flight at once. */
  concurrency: number;
  /** Send {type:'ack'} this often (ws protocol only); 0 = never. */
  ackEveryMs: number;
  /** Send {type:'heartbeat'} this often (ws protocol only); 0 = never. */
  heartbeatEveryMs: number;
}

export interface ConnectResult {
  connected: number;
  failed: number;
  firstError: string | undefined;
  elapsedMs: number;
}

export interface ReportArgs {
  /** Event ids whose deliveries count, with when the bench sent them and when the server published them. */
  ids: number[];
  sentAt: number[];
  publishedAt: number[];
  /** Also hand back every sample (packed), for a bench that merges several swarm processes' percentiles. */
  samples?: boolean;
}

/** One swarm's samples: commit -> receive and send -> receive per delivery, and per id (in `ids` order) its first receipt (-1: none). */
export interface SwarmSamples {
  commit: string;
  sendToReceive: string;
  firstById: number[];
}

export interface SwarmReport {
  clients: number;
  delivered: number;
  expected: number;
  /** Deliveries whose prevEventId did not match the previous event on that connection. */
  gaps: number;
  duplicates: number;
  commitToReceive: LatencySummary;
  /** Per event, commit -> its first receipt on any client: what is left once no client waits behind another. */
  commitToFirstReceive: LatencySummary;
  sendToReceive: LatencySummary;
  closedDuringRun: number;
  closeCodes: Record<string, number>;
  samples?: SwarmSamples;
}

export interface SwarmMark {
  cpuUs: number;
  wallMs: number;
  received: number;
  open: number;
}

const wallNow = (): number => performance.timeOrigin + performance.now();

/** Every (event id, receive time) pair, in typed arrays: millions of them must not become millions of objects. */
class Receipts {
  ids = new Int32Array(1 << 20);
  at = new Float64Array(1 << 20);
  n = 0;

  add(id: number, t: number): void {
    if (this.n === this.ids.length) {
      const ids = new Int32Array(this.ids.length * 2);
      ids.set(this.ids);
      this.ids = ids;
      const at = new Float64Array(this.at.length * 2);
      at.set(this.at);
      this.at = at;
    }
    this.ids[this.n] = id;
    this.at[this.n++] = t;
  }
}

interface Client {
  send(text: string): void;
  close(): void;
  open: boolean;
  lastEventId: number;
  lastAcked: number;
  lastHeartbeat: number;
}

const receipts = new Receipts();
const clients: Client[] = [];
let gaps = 0;
let closedDuringRun = 0;
const closeCodes: Record<string, number> = {};
let sweepTimer: NodeJS.Timeout | undefined;

const EVENT_PREFIX = Buffer.from('{"type":"event","eventId":');
const PREV_KEY = Buffer.from('"prevEventId":');

/** Reads the decimal integer at `from`; our gateway and the ceiling write eventId and prevEventId first. */
function intAt(buf: Buffer, from: number): number {
  let n = 0;
  for (let i = from; i < buf.length; i++) {
    const c = buf[i]!;
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
  }
  return n;
}

function onClosed(code: number): void {
  closedDuringRun++;
  closeCodes[code] = (closeCodes[code] ?? 0) + 1;
}

/** One client of our /ws protocol: auth, wait for welcome, subscribe, wait for resync_complete. */
function connectWs(a: ConnectArgs): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${a.url.replace(/^http/, 'ws')}/ws`, { perMessageDeflate: false });
    const client: Client = {
      send: (text) => ws.send(text),
      close: () => ws.terminate(),
      open: false,
      lastEventId: 0,
      lastAcked: 0,
      lastHeartbeat: performance.now(),
    };
    let phase: 'auth' | 'subscribe' | 'live' = 'auth';
    const fail = (why: string) => {
      ws.terminate();
      reject(new Error(why));
    };
    const timer = setTimeout(() => fail(`no ${phase === 'auth' ? 'welcome' : 'resync_complete'} within 30 s`), 30_000);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token: a.token })));
    ws.on('error', (err) => fail(err.message));
    ws.on('close', (code) => {
      if (client.open) onClosed(code);
      client.open = false;
      if (phase !== 'live') fail(`closed with ${code} during the handshake`);
    });
    ws.on('message', (data: Buffer) => {
      const t = wallNow();
      if (phase === 'live' && data.length > EVENT_PREFIX.length && data.compare(EVENT_PREFIX, 0, EVENT_PREFIX.length, 0, EVENT_PREFIX.length) === 0) {
        const id = intAt(data, EVENT_PREFIX.length);
        const p = data.indexOf(PREV_KEY, EVENT_PREFIX.length);
        if (p > 0 && intAt(data, p + PREV_KEY.length) !== client.lastEventId) gaps++;
        client.lastEventId = id;
        receipts.add(id, t);
        return;
      }
      const m = JSON.parse(data.toString('utf8')) as { type: string; toEventId?: number; code?: string; message?: string };
      if (phase === 'auth' && m.type === 'welcome') {
        phase = 'subscribe';
        ws.send(JSON.stringify({ type: 'subscribe', topics: a.topics }));
      } else if (phase === 'subscribe' && m.type === 'resync_complete') {
        phase = 'live';
        client.lastEventId = m.toEventId ?? 0;
        client.lastAcked = client.lastEventId;
        client.open = true;
        clearTimeout(timer);
        resolve(client);
      } else if (m.type === 'error' && phase !== 'live') {
        fail(`server error ${m.code}: ${m.message}`);
      }
    });
  });
}

/** One socket.io client: the token in the handshake, topics joined with an acknowledged emit. */
function connectSocketIo(a: ConnectArgs): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket: Socket = ioConnect(a.url, { transports: ['websocket'], auth: { token: a.token }, reconnection: false, forceNew: true, timeout: 30_000 });
    const client: Client = {
      send: () => undefined,
      close: () => socket.disconnect(),
      open: false,
      lastEventId: 0,
      lastAcked: 0,
      lastHeartbeat: 0,
    };
    let live = false;
    socket.on('connect_error', (err) => reject(err));
    socket.on('disconnect', (reason) => {
      if (client.open) onClosed(reason === 'io client disconnect' ? 1000 : 1006);
      client.open = false;
    });
    socket.on('event', (msg: { eventId: number; prevEventId: number }) => {
      const t = wallNow();
      if (!live) return;
      if (msg.prevEventId !== client.lastEventId) gaps++;
      client.lastEventId = msg.eventId;
      receipts.add(msg.eventId, t);
    });
    socket.on('connect', () => {
      socket.emit('subscribe', a.topics, (r: { headEventId: number }) => {
        live = true;
        client.lastEventId = r.headEventId;
        client.open = true;
        resolve(client);
      });
    });
  });
}

async function connect(raw: unknown): Promise<ConnectResult> {
  const a = raw as ConnectArgs;
  const started = performance.now();
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  const worker = async () => {
    while (next < a.count) {
      next++;
      try {
        clients.push(await (a.kind === 'socketio' ? connectSocketIo(a) : connectWs(a)));
      } catch (err) {
        failed++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(a.concurrency, a.count) }, worker));
  if (a.kind !== 'socketio' && (a.ackEveryMs > 0 || a.heartbeatEveryMs > 0)) startSweep(a);
  return { connected: clients.length, failed, firstError, elapsedMs: performance.now() - started };
}

/**
 * Acks and heartbeats from one timer, a tenth of the clients per tick, so the server sees them spread out as it would
 * from real browsers instead of 500 timers firing in lockstep.
 */
function startSweep(a: ConnectArgs): void {
  const SLICES = 10;
  const tickMs = Math.max(1, Math.round((a.ackEveryMs || 100) / SLICES));
  let slice = 0;
  clearInterval(sweepTimer);
  sweepTimer = setInterval(() => {
    const now = performance.now();
    const from = Math.floor((slice * clients.length) / SLICES);
    const to = Math.floor(((slice + 1) * clients.length) / SLICES);
    slice = (slice + 1) % SLICES;
    for (let i = from; i < to; i++) {
      const c = clients[i]!;
      if (!c.open) continue;
      if (a.ackEveryMs > 0 && c.lastEventId > c.lastAcked) {
        c.send(`{"type":"ack","lastEventId":${c.lastEventId}}`);
        c.lastAcked = c.lastEventId;
      }
      if (a.heartbeatEveryMs > 0 && now - c.lastHeartbeat >= a.heartbeatEveryMs) {
        c.send(`{"type":"heartbeat","ts":${Math.round(now)}}`);
        c.lastHeartbeat = now;
      }
    }
  }, tickMs);
}

function report(raw: unknown): SwarmReport {
  const a = raw as ReportArgs;
  const maxId = a.ids.reduce((m, id) => Math.max(m, id), 0);
  const sent = new Float64Array(maxId + 1).fill(NaN);
  const published = new Float64Array(maxId + 1).fill(NaN);
  a.ids.forEach((id, i) => {
    sent[id] = a.sentAt[i]!;
    published[id] = a.publishedAt[i]!;
  });
  const commit = new Float64Array(receipts.n);
  const e2e = new Float64Array(receipts.n);
  const first = new Float64Array(maxId + 1).fill(Infinity);
  let delivered = 0;
  for (let i = 0; i < receipts.n; i++) {
    const id = receipts.ids[i]!;
    if (id > maxId || Number.isNaN(sent[id]!)) continue;
    commit[delivered] = receipts.at[i]! - published[id]!;
    if (commit[delivered]! < first[id]!) first[id] = commit[delivered]!;
    e2e[delivered] = receipts.at[i]! - sent[id]!;
    delivered++;
  }
  // Every client gets each event once; more receipts than clients x events would be duplicates.
  const expected = a.ids.length * clients.length;
  // Packed before summarise sorts them in place (the order does not matter to a merge, but it must be all of them).
  const samples: SwarmSamples | undefined = a.samples
    ? {
        commit: packSamples(commit.subarray(0, delivered)),
        sendToReceive: packSamples(e2e.subarray(0, delivered)),
        firstById: a.ids.map((id) => (Number.isFinite(first[id]!) ? first[id]! : -1)),
      }
    : undefined;
  return {
    clients: clients.length,
    delivered,
    expected,
    gaps,
    duplicates: Math.max(0, delivered - expected),
    commitToReceive: summarise(commit.subarray(0, delivered)),
    commitToFirstReceive: summarise(Float64Array.from(a.ids.map((id) => first[id]!).filter(Number.isFinite))),
    sendToReceive: summarise(e2e.subarray(0, delivered)),
    closedDuringRun,
    closeCodes,
    samples,
  };
}

serveRpc(null, {
  connect,
  mark: (): SwarmMark => {
    const cpu = process.cpuUsage();
    return { cpuUs: cpu.user + cpu.system, wallMs: wallNow(), received: receipts.n, open: clients.filter((c) => c.open).length };
  },
  report,
  close: () => {
    clearInterval(sweepTimer);
    for (const c of clients) {
      c.open = false;
      c.close();
    }
    clients.length = 0;
    return null;
  },
});
