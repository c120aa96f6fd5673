import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../src/contracts/index.js';
import { workflowUpserted, storyUpserted, projectUpserted } from '../support/events.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  await t.ingest([projectUpserted('p-rt'), workflowUpserted('wf-rt-0', { projectId: 'p-rt' })]);
});
afterAll(async () => {
  await t.close();
});

describe('realtime gateway basics', () => {
  it('welcomes, snapshots the subscribed topics, then streams committed events in order with their predecessor', async () => {
    const c = await TestWsClient.authed(t.url, t.keys.read);
    const welcome = c.messages[0]!;
    expect(welcome).toMatchObject({ type: 'welcome', headEventId: 2, heartbeatIntervalMs: 15_000 });
    c.send({ type: 'subscribe', topics: ['workflow'] });
    const done = await c.waitFor((m) => m.type === 'resync_complete');
    expect(done).toMatchObject({ recovered: false, toEventId: 2 });
    const snap = c.messages.find((m) => m.type === 'snapshot');
    expect(snap).toMatchObject({ module: 'workflow', version: 2, data: { items: [expect.objectContaining({ id: 'wf-rt-0' })] } });
    await t.ingest([workflowUpserted('wf-rt-1'), storyUpserted('s-rt-1', 'p-rt'), workflowUpserted('wf-rt-2')]);
    await c.waitFor((m) => m.type === 'event' && m.entityId === 'wf-rt-2');
    const events = c.events();
    expect(events.map((e) => [e.eventId, e.prevEventId, e.entityId])).toEqual([
      [3, 2, 'wf-rt-1'],
      [5, 3, 'wf-rt-2'],
    ]);
    c.close();
  });

  it('closes with 4401 when the token is wrong', async () => {
    const c = await TestWsClient.connect(t.url);
    c.send({ type: 'auth', token: 'nope' });
    expect((await c.waitForClose()).code).toBe(CLOSE_CODES.unauthorized);
  });
});
