/**
 * The peer: what a team would build with Socket.IO instead. Connection state recovery is on (its answer to missed
 * events across reconnects, like our replay), auth is a handshake middleware, topics are rooms, and every event is
 * one `emit` to its room. WebSocket transport only, as the clients use.
 * Usage (forked by realtime.bench.ts): node --import tsx --expose-gc bench/realtime/servers/socketio-peer.ts <token>
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { serveRpc } from '../rpc.js';
import { eventMessage, publishHandler } from './peer-common.js';
import { PublishLog, statsHandlers, wallNow } from './server-stats.js';

const token = process.argv[2];
if (!token) throw new Error('usage: socketio-peer.ts <token>');

const log = new PublishLog();
let head = 0;

const server = http.createServer(
  publishHandler((events) => {
    const at = wallNow();
    const ids: number[] = [];
    for (const e of events) {
      const eventId = ++head;
      const msg = eventMessage(e, eventId, eventId - 1);
      log.record(eventId, at);
      io.to(msg.module).emit('event', msg);
      ids.push(eventId);
    }
    if (ids.length > 0) log.roundDone(ids[0]!, wallNow() - at);
    return ids;
  }),
);
const io = new Server(server, {
  transports: ['websocket'],
  serveClient: false,
  // Socket.IO's default buffer window is 2 minutes; kept, since that is what a user gets.
  connectionStateRecovery: { maxDisconnectionDuration: 2 * 60 * 1000, skipMiddlewares: true },
});
io.use((socket, next) => {
  const given = (socket.handshake.auth as { token?: unknown }).token;
  next(given === token ? undefined : new Error('unauthorized'));
});
io.on('connection', (socket) => {
  socket.on('subscribe', (topics: unknown, ack: unknown) => {
    if (Array.isArray(topics)) void socket.join(topics.filter((t): t is string => typeof t === 'string'));
    if (typeof ack === 'function') (ack as (r: unknown) => void)({ ok: true, headEventId: head });
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

serveRpc(
  { url: `http://127.0.0.1:${port}` },
  statsHandlers(log, () => io.engine.clientsCount),
  async () => {
    io.disconnectSockets(true);
    await new Promise<void>((resolve) => io.close(() => resolve()));
  },
);
