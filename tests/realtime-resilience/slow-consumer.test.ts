import type net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { sql } from 'kysely';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES, TOPICS, type ServerMessage } from '../../src/contracts/index.js';
import type { RealtimeClient } from '../../src/web/realtime/realtime-client.js';
import { workflowUpserted } from '../support/events.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { ingestIds, metric, nodeClient, until, wsUrl } from './helpers.js';

const CAP = 64 * 1024;

let t: TestServer;
let normal: RealtimeClient | undefined;
const paused: WebSocket[] = [];

beforeEach(async () => {
  // The rollup folds on this thread: on its worker thread (the default) its heap is another isolate, which the gc()
  // below does not reach, so its uncollected garbage would count in RSS as if the gateway held it.
  t = await startTestServer({ config: { realtime: { sendBufferCapBytes: CAP }, analytics: { rollupThread: 'main' } } });
  // SQLite's page cache (64 MiB per connection in production) fills as the database grows and would swamp the RSS
  // measurement; a small one leaves the gateway's own buffering as the thing measured.
  for (const db of [t.server.core.db.write, t.server.core.db.read]) await sql`pragma cache_size = -2000`.execute(db);
});
afterEach(async () => {
  normal?.close();
  normal = undefined;
  for (const ws of paused.splice(0)) ws.terminate();
  await t.close();
});

/** The vitest worker does not run with --expose-gc; V8 can still hand out its gc function at run time. */
function collector(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return () => undefined;
  }
}
const gc = collector();

function settledMemory() {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  // Queued frames live either as strings on the heap or as Buffers outside it: count both.
  return { rss: m.rss, js: m.heapUsed + m.external };
}

/** A raw client that authenticates, subscribes to every topic and then stops reading its socket altogether. */
async function pausedClient(): Promise<WebSocket> {
  const ws = new WebSocket(wsUrl(t.server.port));
  paused.push(ws);
  ws.on('error', () => undefined);
  const seen: ServerMessage['type'][] = [];
  ws.on('message', (data) => seen.push((JSON.parse(data.toString()) as ServerMessage).type));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ type: 'auth', token: t.keys.read }));
  await until(() => seen.includes('welcome'), 'welcome');
  ws.send(JSON.stringify({ type: 'subscribe', topics: TOPICS }));
  await until(() => seen.includes('resync_complete'), 'subscribed');
  (ws as unknown as { _socket: net.Socket })._socket.pause();
  return ws;
}

const pad = (s: string, n: number) => (s + '-' + 'x'.repeat(n)).slice(0, n);
/** Large-ish events: a 200-character name and 128-character references; few entities, so the read models stay small. */
function bigEvents(label: string, n: number) {
  return Array.from({ length: n }, (_, i) =>
    workflowUpserted(pad(`wf-${i % 50}`, 128), {
      name: pad(`${label} ${i} workflow with a long descriptive name`, 200),
      projectId: pad(`project-${i % 7}`, 128),
      storyId: pad(`story-${i % 11}`, 128),
      ownerId: pad(`owner-${i % 3}`, 128),
      agentId: pad(`agent-${i % 5}`, 128),
    }),
  );
}

async function ingestInBatches(label: string, total: number, batch: number): Promise<number[]> {
  const ids: number[] = [];
  for (let done = 0; done < total; done += batch) ids.push(...(await ingestIds(t, bigEvents(`${label}-${done}`, Math.min(batch, total - done)))));
  return ids;
}

/** Keeps only ids and a byte count, so the test's own bookkeeping does not blur the memory measurement. */
function connectNormal(received: number[], bytes: { total: number } = { total: 0 }): RealtimeClient {
  normal = nodeClient(
    { port: t.server.port, token: t.keys.read, topics: [...TOPICS], ackIntervalMs: 50 },
    {
      onEvent: (e) => {
        received.push(e.eventId);
        bytes.total += Buffer.byteLength(JSON.stringify(e));
      },
    },
  );
  normal.connect();
  return normal;
}

describe('slow consumer', () => {
  it('cuts off clients that stop reading, keeps serving a normal client, and keeps server memory bounded', async () => {
    const received: number[] = [];
    const bytes = { total: 0 };
    const client = connectNormal(received, bytes);
    await until(() => client.connectionState === 'live', 'normal client live');
    // Warm-up: JIT, statement caches and the read models settle before the baseline is taken.
    const warm = await ingestInBatches('warm', 2000, 500);
    await until(() => received.length === warm.length, 'normal client has the warm-up events', 10_000);

    // Several of them, so what an uncapped server would queue (once per paused client) dwarfs the measurement noise.
    const slow: WebSocket[] = [];
    for (let i = 0; i < 4; i++) slow.push(await pausedClient());
    expect(t.server.gateway.connectionCount).toBe(1 + slow.length);
    const before = settledMemory();
    const bytesBefore = bytes.total;

    const total = 20_000;
    const ids = await ingestInBatches('load', total, 500);
    await until(() => received.length === warm.length + total, 'normal client has every event', 15_000);
    await until(() => t.server.gateway.connectionCount === 1, 'the paused clients are cut off');
    await until(async () => (await metric(t, 'websocket_connected_sessions')) === 1, 'only the normal session counts');

    const after = settledMemory();
    // What the server would hold had it kept queueing: every event frame, once per paused client.
    const wouldQueue = (bytes.total - bytesBefore) * slow.length;
    const growth = { js: after.js - before.js, rss: after.rss - before.rss };
    const detail = `growth js ${(growth.js / 1e6).toFixed(1)} MB, rss ${(growth.rss / 1e6).toFixed(1)} MB; would have queued ${(wouldQueue / 1e6).toFixed(1)} MB`;
    // Heap plus external buffers is what the gateway holds (ws frames are Buffers); it must stay far below the queue.
    expect(growth.js, detail).toBeLessThan(wouldQueue / 3);
    // RSS also carries allocator retention and SQLite's page and statement caches (about 30 MB of noise under a busy
    // CI), so it only has to show the frames were not all kept.
    expect(growth.rss, detail).toBeLessThan(wouldQueue / 2);

    expect(received).toEqual([...warm, ...ids]);
    expect(client.connectionState).toBe('live');

    // Forgetting a connection is not enough: its socket must be closed too. Reading again lets each paused client see it.
    const closed = slow.map((ws) => new Promise<void>((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve() : ws.once('close', () => resolve()))));
    for (const ws of slow) (ws as unknown as { _socket: net.Socket })._socket.resume();
    let settled = 0;
    for (const c of closed) void c.then(() => settled++);
    await until(() => settled === slow.length, 'each paused client finds its connection closed by the server', 5000);
  });

  it('counts the cut-off as "resync needed" (4409) in websocket_closed_total', async () => {
    const cutOffsBefore = await metric(t, 'websocket_closed_total', { code: String(CLOSE_CODES.resyncNeeded) });
    await pausedClient();
    expect(t.server.gateway.connectionCount).toBe(1);
    // A few thousand events are well past the cap plus what the loopback socket buffers absorb.
    for (let i = 0; i < 20 && t.server.gateway.connectionCount > 0; i++) await ingestInBatches(`cut-${i}`, 1000, 500);
    await until(() => t.server.gateway.connectionCount === 0, 'the paused client is cut off');
    // The close frame cannot reach a peer that does not read; the gateway gives up on the handshake after a second.
    await until(async () => (await metric(t, 'websocket_closed_total')) > 0, 'the close is counted', 3000);
    const closeCodes = (await (await t.get('/metrics', t.keys.metrics)).text()).split('\n').filter((l) => l.startsWith('websocket_closed_total{'));
    expect(await metric(t, 'websocket_closed_total', { code: String(CLOSE_CODES.resyncNeeded) }), closeCodes.join('; ')).toBe(cutOffsBefore + 1);
  });
});
