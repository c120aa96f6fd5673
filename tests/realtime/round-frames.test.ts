import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { Topic } from '../../src/contracts/index.js';
import type { StoredEvent } from '../../src/server/modules/events/index.js';
import { Connection } from '../../src/server/modules/realtime/connection.js';
import { RoundFrames } from '../../src/server/modules/realtime/round-frames.js';
import { SendQueue } from '../../src/server/modules/realtime/send-queue.js';

// A commit round's frames are built once per group of connections and written to each socket as raw bytes: a real ws
// client must read from them exactly the messages one ws.send per event gave, including frames of 126+ and 65,536+
// bytes (the two longer length encodings).
const event = (eventId: number, type: 'project.upserted' | 'story.upserted' | 'cost.recorded', size = 10): StoredEvent =>
  ({
    eventId,
    type,
    entityType: type.split('.')[0],
    entityId: `e-${eventId}`,
    occurredAt: '2026-12-01T10:00:00.000Z',
    ingestedAt: '2026-12-01T10:00:00.000Z',
    source: 'test',
    sourceEventId: `s-${eventId}`,
    payload: { name: 'x'.repeat(size) },
  }) as unknown as StoredEvent;

const events = [
  event(11, 'project.upserted'),
  event(12, 'story.upserted', 200),
  event(13, 'cost.recorded', 70_000),
  event(14, 'story.upserted', 5),
  event(15, 'project.upserted', 100),
];

let wss: WebSocketServer;
/** A server that negotiates compression, which the gateway does not: ws queues frames then, so events go through it. */
let deflating: WebSocketServer;
async function listening(perMessageDeflate: boolean): Promise<WebSocketServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate });
  await new Promise<void>((r) => server.once('listening', r));
  return server;
}
beforeAll(async () => {
  wss = await listening(false);
  deflating = await listening(true);
});
afterAll(async () => {
  for (const server of [wss, deflating]) {
    server.clients.forEach((c) => c.terminate());
    await new Promise<void>((r) => server.close(() => r()));
  }
});

/** A live server-side Connection with these topics at this position, and what its client reads. */
async function connection(topics: Topic[], position: number, server = wss) {
  const serverSide = new Promise<WebSocket>((r) => server.once('connection', r));
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const received: string[] = [];
  client.on('message', (data, isBinary) => {
    expect(isBinary).toBe(false);
    received.push((data as Buffer).toString('utf8'));
  });
  await new Promise((r) => client.once('open', r));
  const conn = new Connection(await serverSide, Date.now());
  conn.phase = 'ready';
  conn.position = position;
  topics.forEach((t) => conn.topics.add(t));
  return { conn, client, received };
}

/** A send queue and the round of `events` framed with it. */
function roundOf(): { q: SendQueue; round: RoundFrames } {
  const q = new SendQueue(
    1024 * 1024,
    () => 'epoch-1',
    () => {
      throw new Error('nobody is cut off here');
    },
  );
  return { q, round: new RoundFrames(events, (e, prev) => q.frameText(e, prev)) };
}

/** Waits until the client has read as many messages as wanted, checks they are those, and hangs up. */
async function readsExactly(p: { client: WebSocket; received: string[] }, want: string[]): Promise<void> {
  await expect.poll(() => p.received.length).toBe(want.length);
  expect(p.received).toEqual(want);
  p.client.close();
}

/** The messages one send per event would have given: prevEventId chains from the position through those it gets. */
function expected(q: SendQueue, topics: Topic[], position: number): string[] {
  const out: string[] = [];
  let prev = position;
  for (const e of events) {
    const topic = e.type.split('.')[0] as Topic;
    if (e.eventId <= prev || !topics.includes(topic)) continue;
    out.push(q.frameText(e, prev));
    prev = e.eventId;
  }
  return out;
}

describe('a commit round framed once per group of connections', () => {
  it('reads, on a real ws client, as the messages of one send per event, for every topic set and position', async () => {
    const { q, round } = roundOf();
    const cases: [Topic[], number][] = [
      [['project', 'story', 'cost'], 10],
      [['project', 'story', 'cost'], 10],
      [['story'], 10],
      [['project', 'cost'], 12],
    ];
    const peers = [];
    for (const [topics, position] of cases) peers.push(await connection(topics, position)); // one at a time: one 'connection' each
    for (const p of peers) {
      const frames = round.for(p.conn)!;
      expect(q.sendFrames(p.conn, frames, events)).toBe(frames.eventIds.length);
    }
    for (const [i, p] of peers.entries()) {
      const want = expected(q, cases[i]![0], cases[i]![1]);
      await readsExactly(p, want);
      expect(p.conn.position).toBe(JSON.parse(want.at(-1)!).eventId);
      expect(p.conn.unacked).toEqual(want.map((m) => JSON.parse(m).eventId));
    }
    // The two connections at the same position with the same topics share one build of the round's bytes.
    expect(round.for(peers[0]!.conn)).toBe(round.for(peers[1]!.conn));
  });

  it('keeps its place among the messages ws itself sends in the same tick', async () => {
    const { q, round } = roundOf();
    const p = await connection(['project', 'story', 'cost'], 10);
    q.sendText(p.conn, '{"type":"before"}');
    q.sendFrames(p.conn, round.for(p.conn)!, events);
    q.sendText(p.conn, '{"type":"after"}');
    p.conn.ws.ping();
    q.sendText(p.conn, '{"type":"last"}');
    await readsExactly(p, ['{"type":"before"}', ...expected(q, ['project', 'story', 'cost'], 10), '{"type":"after"}', '{"type":"last"}']);
  });

  it('sends through ws itself, in order, on a connection that negotiated an extension', async () => {
    const { q, round } = roundOf();
    const p = await connection(['project', 'story', 'cost'], 10, deflating);
    expect(p.conn.ws.extensions).toMatch(/permessage-deflate/);
    expect(q.sendFrames(p.conn, round.for(p.conn)!, events)).toBe(5);
    await readsExactly(p, expected(q, ['project', 'story', 'cost'], 10));
  });

  it('gives nothing to a connection whose topics the round does not touch, or that is past all its events', async () => {
    const { round } = roundOf();
    const agentOnly = new Connection({} as WebSocket, 0);
    agentOnly.topics.add('agent');
    expect(round.for(agentOnly)).toBeNull();
    const ahead = new Connection({} as WebSocket, 0);
    ahead.topics.add('project');
    ahead.position = 15;
    expect(round.for(ahead)).toBeNull();
  });
});
