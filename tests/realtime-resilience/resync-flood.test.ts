import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowUpserted } from '../support/events.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  // A history worth replaying: every resync of the spammer below asks for all of it.
  for (let b = 0; b < 4; b++) expect((await t.ingest(Array.from({ length: 500 }, (_, i) => workflowUpserted(`hist-${b}-${i}`)))).status).toBe(200);
});
afterAll(() => t.close());

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Time from posting one event to the reader seeing it. */
async function deliveries(reader: TestWsClient, label: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = `${label}-${i}`;
    const from = reader.messages.length;
    const started = performance.now();
    expect((await t.ingest([workflowUpserted(id)])).status).toBe(200);
    await reader.waitFor((m) => m.type === 'event' && JSON.stringify(m).includes(`"${id}"`), 10_000, from);
    out.push(performance.now() - started);
  }
  return out;
}

describe('a client that floods resync requests', () => {
  it('costs one pending replay, not one per request, and slows nobody else more than 2×', async () => {
    const reader = await TestWsClient.authed(t.url, t.keys.read, ['workflow']);
    const spammer = await TestWsClient.authed(t.url, t.keys.read, ['workflow']);
    try {
      await deliveries(reader, 'warm', 3);
      const quiet = median(await deliveries(reader, 'quiet', 9));
      const welcome = spammer.messages.find((m) => m.type === 'welcome') as { epoch: string };
      let flooding = true;
      const floodStarted = performance.now();
      let sent = 0;
      const flood = (async () => {
        while (flooding) {
          for (let i = 0; i < 50; i++) spammer.send({ type: 'resync_request', lastAckEventId: 0, epoch: welcome.epoch });
          sent += 50;
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      const busy = median(await deliveries(reader, 'busy', 41));
      flooding = false;
      await flood;
      const floodSeconds = (performance.now() - floodStarted) / 1000;
      const completes = spammer.messages.filter((m) => m.type === 'resync_complete').length;
      // Every request is answered by at most the one running and the one pending replay at any time.
      expect(sent).toBeGreaterThan(100);
      expect(completes).toBeLessThan(sent / 10);
      // …and they run at most once a second (realtime.resyncMinIntervalMs), plus the one running when it began.
      expect(completes).toBeLessThanOrEqual(Math.ceil(floodSeconds) + 2);
      // A few ms of slack: the quiet figure is a couple of milliseconds on loopback.
      expect(busy, `quiet ${quiet.toFixed(1)} ms, while flooded ${busy.toFixed(1)} ms`).toBeLessThanOrEqual(2 * quiet + 10);
    } finally {
      reader.close();
      spammer.close();
    }
  });
});
