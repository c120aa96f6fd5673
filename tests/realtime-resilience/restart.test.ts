import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { TOPIC_OF_EVENT, type EventMessage, type EventType, type ResyncCompleteMessage, type Topic } from '../../src/contracts/index.js';
import type { ConnectionState, RealtimeClient } from '../../src/web/realtime/realtime-client.js';
import { agentUpserted, projectUpserted, storyStatusChanged, storyUpserted, workflowTransitioned, workflowUpserted } from '../support/events.js';
import { startTestServer, tempDir, type TestServer } from '../support/test-server.js';
import { ingestIds, nodeClient, sleep, until } from './helpers.js';

const dataDir = tempDir();
let t: TestServer | undefined;
const clients: RealtimeClient[] = [];

afterAll(async () => {
  for (const c of clients.splice(0)) c.close();
  await t?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

interface Observed {
  topics: Topic[];
  client: RealtimeClient;
  events: EventMessage[];
  resyncs: ResyncCompleteMessage[];
  states: ConnectionState[];
}

/** A mixed batch: the two subscribed topics, and agent events nobody here subscribed to. */
function batch(label: string, n: number) {
  const events: { type: string }[] = [];
  for (let i = 0; i < n; i++) {
    events.push(workflowUpserted(`${label}-wf-${i}`, { projectId: 'p-restart' }));
    events.push(storyUpserted(`${label}-st-${i}`, 'p-restart'));
    if (i % 2 === 0) events.push(workflowTransitioned(`${label}-wf-${i}`, 'queued', 'in_progress'));
    if (i % 3 === 0) events.push(storyStatusChanged(`${label}-st-${i}`, 'in_progress', 'queued'));
    if (i % 4 === 0) events.push(agentUpserted(`${label}-ag-${i}`));
  }
  return events;
}

describe('many clients across a server restart', () => {
  it('every client ends with exactly the events of its topics, in order, resumed by replay', async () => {
    t = await startTestServer({ dataDir });
    const port = t.server.port;
    const key = t.keys.read;
    // Seeded before anyone connects, so the first sync is a snapshot at a non-zero version.
    await ingestIds(t, [projectUpserted('p-restart'), workflowUpserted('seed-wf'), storyUpserted('seed-st', 'p-restart')]);

    const ingested: { id: number; topic: Topic }[] = [];
    const ingest = async (events: { type: string }[]) => {
      const ids = await ingestIds(t!, events);
      ids.forEach((id, i) => ingested.push({ id, topic: TOPIC_OF_EVENT[events[i]!.type as EventType] }));
    };

    const lastFor = (topics: Topic[]): number => ingested.filter((e) => topics.includes(e.topic)).at(-1)?.id ?? 0;

    const observed: Observed[] = [];
    for (let i = 0; i < 20; i++) {
      const topics: Topic[] = i % 5 === 3 ? ['workflow'] : i % 5 === 4 ? ['story'] : ['workflow', 'story'];
      const o: Observed = { topics, events: [], resyncs: [], states: [], client: undefined as unknown as RealtimeClient };
      // Jitter kept in the upper half of the window, so no client is back before the post-restart ingest lands.
      o.client = nodeClient(
        { port, token: key, topics, baseDelayMs: 300, maxDelayMs: 1000, ackIntervalMs: 50, random: () => 0.5 + Math.random() / 2 },
        { onEvent: (e) => o.events.push(e), onResyncComplete: (m) => o.resyncs.push(m), onState: (s) => o.states.push(s) },
      );
      clients.push(o.client);
      observed.push(o);
      o.client.connect();
    }
    const allLive = () => observed.every((o) => o.client.connectionState === 'live');
    await until(allLive, 'all clients live', 5000);
    expect(observed.every((o) => o.resyncs.length === 1 && !o.resyncs[0]!.recovered && o.resyncs[0]!.toEventId === 3)).toBe(true);

    await ingest(batch('before', 6));
    const head = () => ingested.at(-1)!.id;
    await until(() => observed.every((o) => o.client.lastEventId >= lastFor(o.topics)), 'all clients have the events before', 5000);

    await t.close();
    await until(() => observed.every((o) => o.states.includes('reconnecting')), 'all clients notice the shutdown', 3000);
    const resyncsBeforeRestart = observed.map((o) => o.resyncs.length);

    t = await startTestServer({ dataDir, config: { port } });
    // Lands before the clients are back (their first retry is at least 150 ms away), so only replay can deliver it.
    await ingest(batch('during', 5));
    const connectedWhenDuringLanded = t.server.gateway.connectionCount;
    const duringHead = head();

    const resumed = () => observed.every((o, i) => o.resyncs.length > resyncsBeforeRestart[i]!);
    // Keeps committing while the clients come back, so live events also race each replay (held, then sent after it).
    let racing = 0;
    for (let i = 0; i < 200 && !(allLive() && resumed()); i++) {
      await ingest(batch(`racing-${i}`, 1));
      racing++;
      await sleep(10);
    }
    await until(() => allLive() && resumed(), 'all clients resumed', 8000);
    expect(racing).toBeGreaterThan(0);
    await ingest(batch('after', 4));
    await until(() => observed.every((o) => o.client.lastEventId >= lastFor(o.topics)), 'all clients have the events after', 5000);

    for (const [i, o] of observed.entries()) {
      const expected = ingested.filter((e) => o.topics.includes(e.topic)).map((e) => e.id);
      const got = o.events.map((e) => e.eventId);
      expect(got, `client ${i} (${o.topics.join('+')})`).toEqual(expected);
      expect(o.events.every((e) => o.topics.includes(e.module))).toBe(true);
      // After the restart, a resume from the client's position, never a fresh snapshot that would hide events.
      const afterRestart = o.resyncs.slice(resyncsBeforeRestart[i]);
      expect(afterRestart.length, `client ${i} resyncs after restart`).toBeGreaterThanOrEqual(1);
      expect(
        afterRestart.every((m) => m.recovered),
        `client ${i}: ${JSON.stringify(afterRestart)}`,
      ).toBe(true);
    }
    expect(connectedWhenDuringLanded).toBeLessThan(observed.length);
    // The events ingested while clients were away reached them inside a replay (resync_complete covers them).
    const replayedDuring = observed.filter((o, i) => o.resyncs.slice(resyncsBeforeRestart[i]).some((m) => m.recovered && m.toEventId >= duringHead));
    expect(replayedDuring.length).toBeGreaterThan(0);
    expect(t.server.gateway.connectionCount).toBe(observed.length);
  });
});
