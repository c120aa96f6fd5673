import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { RealtimeClient, type SocketLike } from '../../src/web/realtime/realtime-client.js';
import type { EventMessage } from '../../src/contracts/index.js';
import { workflowUpserted } from '../support/events.js';
import { until } from '../support/wait.js';
import { startTestServer, tempDir, type TestServer } from '../support/test-server.js';

const dataDir = tempDir();
let t: TestServer | undefined;
afterAll(async () => {
  await t?.close();
});

describe('realtime client across a server restart', () => {
  it('reconnects, resumes from its position and ends with every event exactly once', async () => {
    t = await startTestServer({ dataDir });
    const port = t.server.port;
    const key = t.keys.read;
    const received: EventMessage[] = [];
    const states: string[] = [];
    const client = new RealtimeClient(
      {
        url: `ws://127.0.0.1:${port}/ws`,
        token: () => key,
        topics: ['workflow'],
        createSocket: (u) => new WebSocket(u) as unknown as SocketLike,
        baseDelayMs: 50,
        maxDelayMs: 200,
      },
      { onEvent: (e) => received.push(e), onState: (s) => states.push(s) },
    );
    client.connect();
    await until(() => client.connectionState === 'live', 'client live');
    await t.ingest([workflowUpserted('wf-a'), workflowUpserted('wf-b')]);
    await until(() => received.length === 2, 'first two events');
    await t.server.close();
    await until(() => client.connectionState === 'reconnecting', 'client notices the restart');
    t = await startTestServer({ dataDir, config: { port } });
    await t.ingest([workflowUpserted('wf-c')]);
    await until(() => received.length === 3, 'event ingested after the restart');
    await t.ingest([workflowUpserted('wf-d')]);
    await until(() => received.length === 4, 'live event after resuming');
    expect(received.map((e) => e.entityId)).toEqual(['wf-a', 'wf-b', 'wf-c', 'wf-d']);
    expect(states).toContain('reconnecting');
    client.close();
  });
});
