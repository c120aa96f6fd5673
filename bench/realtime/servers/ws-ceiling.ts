/**
 * The ceiling: a bare `ws` server (the same ws version as our gateway) broadcasting the same event messages. It keeps
 * the client protocol (auth, subscribe, per-topic filtering, acks ignored) so the same clients can drive it, and
 * nothing else: no database, no validation, no snapshots, no per-connection bookkeeping beyond a topic set.
 * Usage (forked by realtime.bench.ts): node --import tsx --expose-gc bench/realtime/servers/ws-ceiling.ts <token> [cork]
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { serveRpc } from '../rpc.js';
import { EPOCH, eventMessage, publishHandler } from './peer-common.js';
import { PublishLog, statsHandlers, wallNow } from './server-stats.js';

const token = process.argv[2];
if (!token) throw new Error('usage: ws-ceiling.ts <token>');

interface Client {
  ws: WebSocket;
  ready: boolean;
  topics: Set<string>;
}
const clients = new Set<Client>();
const log = new PublishLog();
let head = 0;

// "cork": each client's frames for one request leave in one writev instead of one each, a coalescing our gateway
// could do per commit; the bench runs it only when asked (BENCH_SYSTEMS=ws-cork), to size that opportunity.
const cork = process.argv[3] === 'cork';

const server = http.createServer(
  publishHandler((events) => {
    const at = wallNow();
    const ids: number[] = [];
    const frames: { module: string; frame: Buffer }[] = [];
    for (const e of events) {
      const eventId = ++head;
      const msg = eventMessage(e, eventId, eventId - 1);
      log.record(eventId, at);
      // Encoded once for everyone: the best a broadcaster can do with ws.
      frames.push({ module: msg.module, frame: Buffer.from(JSON.stringify(msg)) });
      ids.push(eventId);
    }
    // Client by client, like our gateway: a client's frames of one request go out back to back, which lets the kernel
    // hand them to the reader together. With "cork" they also leave in a single writev.
    for (const c of clients) {
      if (!c.ready || c.ws.readyState !== WebSocket.OPEN) continue;
      const socket = (c.ws as unknown as { _socket: Duplex })._socket;
      if (cork) socket.cork();
      for (const f of frames) if (c.topics.has(f.module)) c.ws.send(f.frame, { binary: false });
      if (cork) socket.uncork();
    }
    if (ids.length > 0) log.roundDone(ids[0]!, wallNow() - at);
    return ids;
  }),
);
const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false });
wss.on('connection', (ws) => {
  const client: Client = { ws, ready: false, topics: new Set() };
  clients.add(client);
  ws.on('close', () => clients.delete(client));
  ws.on('error', () => undefined);
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { type: string; token?: string; topics?: string[] };
    if (m.type === 'auth') {
      if (m.token !== token) return ws.close(4401, 'bad token');
      client.ready = true;
      ws.send(
        JSON.stringify({
          type: 'welcome',
          sessionId: 'ceiling',
          epoch: EPOCH,
          headEventId: head,
          heartbeatIntervalMs: 15_000,
          serverTime: new Date().toISOString(),
        }),
      );
    } else if (m.type === 'subscribe' && client.ready) {
      for (const t of m.topics ?? []) client.topics.add(t);
      ws.send(JSON.stringify({ type: 'resync_complete', recovered: false, fromEventId: 0, toEventId: head, reason: 'subscribe' }));
    }
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

serveRpc(
  { url: `http://127.0.0.1:${port}` },
  statsHandlers(log, () => clients.size),
  async () => {
    for (const c of clients) c.ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => server.close(() => resolve())));
  },
);
