import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES, type ServerMessage } from '../../src/contracts/index.js';
import { storyUpserted, workflowUpserted } from '../support/events.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';
import { ingestIds, metric, sleep, until } from './helpers.js';

const INTERVAL = 200;
const GRACE = 100;
const LIMIT = 2 * INTERVAL + GRACE;

let t: TestServer;
const clients: TestWsClient[] = [];

beforeAll(async () => {
  t = await startTestServer({ config: { realtime: { heartbeatIntervalMs: INTERVAL, heartbeatGraceMs: GRACE } } });
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => {
  await t.close();
});

type Heartbeat = Extract<ServerMessage, { type: 'heartbeat' }>;

describe('heartbeat timeout', () => {
  it('closes a silent authenticated client with 4408 after two intervals plus grace, not before', async () => {
    const closedBefore = await metric(t, 'websocket_closed_total', { code: String(CLOSE_CODES.heartbeatTimeout) });
    const c = await TestWsClient.connect(t.url);
    clients.push(c);
    // The server's silence clock restarts at the auth message, so timing from just before it gives a lower bound.
    const start = performance.now();
    c.send({ type: 'auth', token: t.keys.read });
    const welcome = await c.waitFor((m) => m.type === 'welcome');
    expect(welcome).toMatchObject({ heartbeatIntervalMs: INTERVAL });

    const closed = await c.waitForClose(3000);
    const elapsed = performance.now() - start;
    expect(closed.code).toBe(CLOSE_CODES.heartbeatTimeout);
    // Anything shorter than ~LIMIT would cut off clients that merely missed one beat.
    expect(elapsed).toBeGreaterThanOrEqual(LIMIT - 50);
    expect(elapsed).toBeLessThan(1500);
    expect(c.messages.some((m) => m.type === 'error' && m.code === 'heartbeat_timeout' && !m.recoverable)).toBe(true);

    await until(() => t.server.gateway.connectionCount === 0, 'the gateway forgets the timed-out connection');
    expect(await metric(t, 'websocket_closed_total', { code: String(CLOSE_CODES.heartbeatTimeout) })).toBe(closedBefore + 1);
    expect(await metric(t, 'websocket_connected_sessions')).toBe(0);
  });

  it('keeps a client that beats every interval open and answers each beat with the head and its position', async () => {
    const c = await TestWsClient.authed(t.url, t.keys.read, ['workflow']);
    clients.push(c);
    const answers = new Map<number, Heartbeat>();
    c.ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { type: string; ts: number };
      if (m.type === 'heartbeat') answers.set(m.ts, m as Heartbeat);
    });

    const beats = 10;
    let workflowIds: number[] = [];
    let head = 0;
    let ingestedAfterBeat = -1;
    const started = performance.now();
    for (let i = 0; i < beats; i++) {
      c.send({ type: 'heartbeat', ts: i });
      if (i === 3) {
        // A story event moves the head but is not sent to a workflow-only subscriber, so the two numbers differ.
        const ids = await ingestIds(t, [workflowUpserted('hb-wf-1'), workflowUpserted('hb-wf-2'), storyUpserted('hb-st-1', 'p-hb')]);
        workflowIds = ids.slice(0, 2);
        head = ids[2]!;
        await c.waitFor((m) => m.type === 'event' && m.eventId === workflowIds[1]);
        ingestedAfterBeat = i;
      }
      // Pacing the client like a real one, not waiting for a result: the next beat is due one interval later.
      await sleep(started + (i + 1) * INTERVAL - performance.now());
    }
    await until(() => answers.size === beats, `an answer to each of the ${beats} beats`, 2000);
    // The loop above ran for beats × INTERVAL = 2 s with the socket open all along.
    expect(performance.now() - started).toBeGreaterThanOrEqual(beats * INTERVAL - 5);
    expect(c.closed).toBeUndefined();
    expect(t.server.gateway.connectionCount).toBe(1);

    for (let i = 0; i < beats; i++) {
      const a = answers.get(i)!;
      expect(a, `answer to beat ${i}`).toBeDefined();
      expect(typeof a.serverTime).toBe('string');
      if (i > ingestedAfterBeat) {
        expect(a).toMatchObject({ headEventId: head, lastEventId: workflowIds[1] });
      } else if (i < 3) {
        expect(a.headEventId).toBeLessThan(workflowIds[0]!);
        expect(a.lastEventId).toBeLessThan(workflowIds[0]!);
      }
    }
    expect(c.events().map((e) => e.eventId)).toEqual(workflowIds);
  });
});
