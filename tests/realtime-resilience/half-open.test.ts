import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionState, RealtimeClient } from '../../src/web/realtime/realtime-client.js';
import { CLOSE_CODES, type EventMessage, type ResyncCompleteMessage } from '../../src/contracts/index.js';
import { storyUpserted, workflowUpserted } from '../support/events.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { FreezableProxy, ingestIds, metric, nodeClient, until } from './helpers.js';
import { TestWsClient } from '../support/ws-client.js';
import { clientSessionsRepository } from '../../src/server/modules/realtime/client-sessions.repository.js';

const INTERVAL = 200;
const GRACE = 100;

let t: TestServer;
let proxy: FreezableProxy;
let client: RealtimeClient | undefined;
let raw: TestWsClient | undefined;

beforeEach(async () => {
  t = await startTestServer({ config: { realtime: { heartbeatIntervalMs: INTERVAL, heartbeatGraceMs: GRACE } } });
  proxy = new FreezableProxy(t.server.port);
  await proxy.listen();
});
afterEach(async () => {
  client?.close();
  client = undefined;
  raw?.close();
  raw = undefined;
  await proxy.close();
  await t.close();
});

/** Workflow events the client wants, interleaved with story events it must never see. */
async function ingestMixed(label: string, n: number): Promise<number[]> {
  const events: { type: string }[] = [];
  for (let i = 0; i < n; i++) {
    events.push(workflowUpserted(`${label}-wf-${i}`));
    if (i % 2 === 0) events.push(storyUpserted(`${label}-st-${i}`, 'p-half-open'));
  }
  const ids = await ingestIds(t, events);
  return ids.filter((_, i) => events[i]!.type === 'workflow.upserted');
}

describe('half-open connection (the path dies silently, no FIN or RST)', () => {
  it('both ends give up on heartbeats, and the client resumes without a gap once the path is back', async () => {
    const received: EventMessage[] = [];
    const states: { state: ConnectionState; detail: string | undefined; at: number }[] = [];
    const resyncs: ResyncCompleteMessage[] = [];
    let snapshots = 0;
    client = nodeClient(
      { port: proxy.port, token: t.keys.read, topics: ['workflow'], baseDelayMs: 50, maxDelayMs: 200, ackIntervalMs: 20 },
      {
        onEvent: (e) => received.push(e),
        onState: (state, detail) => states.push({ state, detail, at: performance.now() }),
        onResyncComplete: (m) => resyncs.push(m),
        onSnapshot: () => snapshots++,
      },
    );
    client.connect();
    await until(() => client!.connectionState === 'live', 'client live through the proxy');
    const before = await ingestMixed('before', 3);
    await until(() => received.length === before.length, 'events before the outage');
    await until(async () => (await metric(t, 'websocket_connected_sessions')) === 1, 'server counts the session');

    const frozenAt = performance.now();
    proxy.freeze();
    // Sent by the server into the dead path before it notices: these bytes are lost with the connection.
    const duringEarly = await ingestMixed('during-early', 4);

    await until(() => states.some((s) => s.state === 'reconnecting' && s.at > frozenAt), 'client notices missing heartbeat answers', 3000);
    const detected = states.find((s) => s.state === 'reconnecting' && s.at > frozenAt)!;
    expect(detected.detail).toBe('heartbeat answers missing');
    // Two intervals without an answer, counted from the last answer seen: well under a second, never instantly. That
    // answer came up to an interval (and its delivery time) before the freeze, so from the freeze it is a bit more
    // than one interval; a busy machine delays the answer and shortens it by that much (187 ms was seen).
    expect(detected.at - frozenAt).toBeGreaterThanOrEqual(INTERVAL / 2);
    expect(detected.at - frozenAt).toBeLessThan(2000);

    await until(() => t.server.gateway.connectionCount === 0, 'server drops the dead connection', 4000);
    await until(async () => (await metric(t, 'websocket_connected_sessions')) === 0, 'metric shows no open session', 2000);
    // The client has been dialling meanwhile; its attempts are swallowed by the dead path.
    await until(() => proxy.accepted >= 2, 'client dials again');

    const duringLate = await ingestMixed('during-late', 5);
    expect(received.map((e) => e.eventId)).toEqual(before);

    proxy.thaw();
    const all = [...before, ...duringEarly, ...duringLate];
    await until(() => client!.connectionState === 'live' && received.length >= all.length, 'client back live with the outage events', 5000);
    const after = await ingestMixed('after', 3);
    all.push(...after);
    await until(() => received.length >= all.length, 'events after the outage');

    // Exactly once, in order, chained: nothing lost in the dead connection, nothing doubled by the replay.
    expect(received.map((e) => e.eventId)).toEqual(all);
    expect(received.every((e) => e.module === 'workflow')).toBe(true);
    // prevEventId may skip story events (the position jumps to the head at resync_complete) but never goes back.
    for (let i = 1; i < received.length; i++) {
      expect(received[i]!.prevEventId).toBeGreaterThanOrEqual(received[i - 1]!.eventId);
      expect(received[i]!.prevEventId).toBeLessThan(received[i]!.eventId);
    }
    expect(received.map((e) => e.entityId).filter((id) => id.startsWith('during-'))).toEqual([
      ...[0, 1, 2, 3].map((i) => `during-early-wf-${i}`),
      ...[0, 1, 2, 3, 4].map((i) => `during-late-wf-${i}`),
    ]);
    // Resumed by replay from its position, not by fresh snapshots.
    expect(snapshots).toBe(1);
    expect(resyncs.at(-1)).toMatchObject({ recovered: true, fromEventId: before.at(-1)! + 1 });
    expect(client.lastEventId).toBeGreaterThanOrEqual(all.at(-1)!);
    await until(async () => (await metric(t, 'websocket_connected_sessions')) === 1, 'server counts the resumed session');
  });

  it('records a heartbeat timeout of a dead peer as a timeout (close code 4408, session timed_out)', async () => {
    raw = await TestWsClient.authed(`http://127.0.0.1:${proxy.port}`, t.keys.read, ['workflow']);
    const welcome = raw.messages.find((m) => m.type === 'welcome');
    if (welcome?.type !== 'welcome') throw new Error('no welcome');
    const timeoutsBefore = await metric(t, 'websocket_closed_total', { code: String(CLOSE_CODES.heartbeatTimeout) });

    proxy.freeze();
    await until(() => t.server.gateway.connectionCount === 0, 'server drops the dead connection', 4000);

    // The gateway closed this connection because of the heartbeat timeout; its books must say so, whether or not the
    // peer could answer the close frame. A dead peer never can, which is what the heartbeat exists to detect.
    await until(
      async () => (await clientSessionsRepository.find(t.server.core.db.read, welcome.sessionId))?.closed_at_utc != null,
      'the session is closed in the database',
      2000,
    );
    const session = await clientSessionsRepository.find(t.server.core.db.read, welcome.sessionId);
    const closeCodes = (await (await t.get('/metrics', t.keys.metrics)).text()).split('\n').filter((l) => l.startsWith('websocket_closed_total{'));
    const timeouts = await metric(t, 'websocket_closed_total', { code: String(CLOSE_CODES.heartbeatTimeout) });
    expect({ state: session?.connection_state, timeoutCloses: timeouts - timeoutsBefore }, `closes by code: ${closeCodes.join('; ')}`).toEqual({
      state: 'timed_out',
      timeoutCloses: 1,
    });
  });

  it('does not hang for good on a reconnect attempt that the dead path swallowed', async () => {
    const received: EventMessage[] = [];
    const states: ConnectionState[] = [];
    client = nodeClient(
      { port: proxy.port, token: t.keys.read, topics: ['workflow'], baseDelayMs: 50, maxDelayMs: 200 },
      { onEvent: (e) => received.push(e), onState: (s) => states.push(s) },
    );
    client.connect();
    await until(() => client!.connectionState === 'live', 'client live through the proxy');
    const before = await ingestMixed('before', 2);
    await until(() => received.length === before.length, 'events before the outage');

    proxy.freeze();
    await until(() => states.includes('reconnecting'), 'client notices missing heartbeat answers', 3000);
    await until(() => proxy.accepted >= 2 && client!.connectionState === 'connecting', 'client dials into the dead path');
    const during = await ingestMixed('during', 3);
    // The path is back, but the attempt made while it was dead never gets an answer (nor a reset).
    proxy.thaw({ held: 'abandon' });

    // The client knows the server answers within one heartbeat interval (200 ms here), so an attempt silent for many
    // intervals is as dead as a connection without heartbeat answers: it must give up on it and dial again.
    await until(
      () => client!.connectionState === 'live' && received.length === before.length + during.length,
      () => `client back live (still ${client!.connectionState}, states ${states.join(' > ')}, ${proxy.accepted} connections dialled)`,
      5000,
    );
    expect(received.map((e) => e.eventId)).toEqual([...before, ...during]);
  });
});
