import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  syncStatusSchema,
  type ResyncCompleteMessage,
  type ServerMessage,
  type StaleStateMessage,
  type SyncStatusMessage,
  type Topic,
  type WelcomeMessage,
} from '../../src/contracts/index.js';
import { syncReported } from '../support/events.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';
import { ingestAccepted, mark, roundTrip } from './support.js';

/**
 * stale_state and sync_status pushes. summarise() compares the server clock with each source's last successful
 * report (its occurredAt), so these tests run on the system clock and report with occurredAt = now.
 */

const open: TestWsClient[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

async function subscriber(t: TestServer, topics: Topic[]): Promise<TestWsClient> {
  const c = await TestWsClient.authed(t.url, t.keys.read, topics);
  open.push(c);
  return c;
}

/** Strictly increasing report times, so a later report is always the newer one for the projection. */
let lastReportAt = 0;
function nowIso(): string {
  lastReportAt = Math.max(Date.now(), lastReportAt + 1);
  return new Date(lastReportAt).toISOString();
}

async function report(t: TestServer, scope: string, module: string, status: 'ok' | 'failed', payload: Record<string, unknown> = {}): Promise<string> {
  const occurredAt = nowIso();
  await ingestAccepted(t, [syncReported(scope, module, status, payload, { occurredAt })]);
  return occurredAt;
}

const isStaleMsg = (module: Topic, isStale?: boolean) => (m: ServerMessage) =>
  m.type === 'stale_state' && m.module === module && (isStale === undefined || m.isStale === isStale);
const isSyncMsg = (module: Topic, status?: SyncStatusMessage['status']) => (m: ServerMessage) =>
  m.type === 'sync_status' && m.module === module && (status === undefined || m.status === status);

/** The next stale_state and sync_status pair for `module` after `from` (the gateway always sends both). */
async function nextPair(
  c: TestWsClient,
  module: Topic,
  from: number,
  isStale?: boolean,
  timeoutMs = 5000,
): Promise<{ stale: StaleStateMessage; sync: SyncStatusMessage; at: number }> {
  const stale = await c.waitFor<StaleStateMessage>(isStaleMsg(module, isStale), timeoutMs, from);
  const at = Date.now();
  const sync = await c.waitFor<SyncStatusMessage>(isSyncMsg(module), timeoutMs, c.messages.indexOf(stale));
  return { stale, sync, at };
}

/** GET /sync/status tells the same story as the pushed pair. */
async function expectRestAgrees(t: TestServer, pair: { stale: StaleStateMessage; sync: SyncStatusMessage }): Promise<void> {
  const res = await t.get('/api/v1/sync/status');
  expect(res.status).toBe(200);
  const status = syncStatusSchema.parse(await res.json());
  const m = status.modules.find((x) => x.module === pair.stale.module)!;
  expect({ isStale: m.isStale, reason: m.reason, lastSuccessfulUpdateAt: m.lastSuccessfulSyncAt }).toEqual({
    isStale: pair.stale.isStale,
    reason: pair.stale.reason,
    lastSuccessfulUpdateAt: pair.stale.lastSuccessfulUpdateAt,
  });
  expect({ status: m.status, error: m.error, lastSuccessfulSyncAt: m.lastSuccessfulSyncAt }).toEqual({
    status: pair.sync.status,
    error: pair.sync.error,
    lastSuccessfulSyncAt: pair.sync.lastSuccessfulSyncAt,
  });
}

describe('staleness over time (check every 100 ms)', () => {
  const staleCheckIntervalMs = 100;
  const expectedIntervalMs = 1000;
  const thresholdMs = 2 * expectedIntervalMs;
  /** Timer and event-loop jitter on a busy machine, on top of the check interval. */
  const jitterMs = 400;
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ config: { realtime: { staleCheckIntervalMs, staleAfterIntervals: 2 } } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('announces a never-reported module as stale and unknown on subscribe', async () => {
    const c = await subscriber(t, ['document']);
    const done = c.messages.findIndex((m) => m.type === 'resync_complete');
    const pair = await nextPair(c, 'document', done);
    expect(pair.stale).toEqual({
      type: 'stale_state',
      module: 'document',
      isStale: true,
      lastSuccessfulUpdateAt: null,
      reason: 'no source has reported this module yet',
    });
    expect(pair.sync).toEqual({ type: 'sync_status', module: 'document', status: 'unknown', lastSuccessfulSyncAt: null, error: null });
    await expectRestAgrees(t, pair);
  });

  it('marks a module stale once its source falls silent past 2 intervals, and fresh again on its next ok report', async () => {
    const story = await subscriber(t, ['story']);
    const sync = await subscriber(t, ['sync']);
    const bystander = await subscriber(t, ['cost']);
    const before = await nextPair(story, 'story', 0);
    expect(before.stale).toMatchObject({ isStale: true, reason: 'no source has reported this module yet' });

    const from = { story: mark(story), sync: mark(sync) };
    const okAt = await report(t, 'story-tracker', 'story', 'ok', { expectedIntervalMs });
    const fresh = await nextPair(story, 'story', from.story);
    expect(fresh.stale).toEqual({ type: 'stale_state', module: 'story', isStale: false, lastSuccessfulUpdateAt: okAt, reason: null });
    expect(fresh.sync).toEqual({ type: 'sync_status', module: 'story', status: 'ok', lastSuccessfulSyncAt: okAt, error: null });
    expect((await nextPair(sync, 'story', from.sync)).stale).toEqual(fresh.stale);
    await expectRestAgrees(t, fresh);

    const stale = await nextPair(story, 'story', from.story, true, thresholdMs + 3000);
    const silentFor = stale.at - Date.parse(okAt);
    expect(silentFor).toBeGreaterThan(thresholdMs);
    expect(silentFor).toBeLessThanOrEqual(thresholdMs + staleCheckIntervalMs + jitterMs);
    expect(stale.stale).toMatchObject({ isStale: true, lastSuccessfulUpdateAt: okAt });
    expect(stale.stale.reason).toContain(`no successful report since ${okAt}`);
    expect(stale.sync).toEqual(fresh.sync);
    const staleForSync = await nextPair(sync, 'story', from.sync, true);
    expect(staleForSync.stale).toEqual(stale.stale);
    await expectRestAgrees(t, stale);
    // One change, one announcement: fresh then stale, no repeats from the checks in between.
    expect(
      story.messages
        .slice(from.story)
        .filter(isStaleMsg('story'))
        .map((m) => (m as StaleStateMessage).isStale),
    ).toEqual([false, true]);

    const late = await subscriber(t, ['story']);
    expect(
      (
        await nextPair(
          late,
          'story',
          late.messages.findIndex((m) => m.type === 'resync_complete'),
        )
      ).stale,
    ).toEqual(stale.stale);

    const again = mark(story);
    const recoveredAt = await report(t, 'story-tracker', 'story', 'ok', { expectedIntervalMs });
    const recovered = await nextPair(story, 'story', again, false, 1000);
    expect(recovered.stale).toEqual({ type: 'stale_state', module: 'story', isStale: false, lastSuccessfulUpdateAt: recoveredAt, reason: null });
    await expectRestAgrees(t, recovered);

    await roundTrip(bystander);
    expect(bystander.messages.filter((m) => (m.type === 'stale_state' || m.type === 'sync_status') && m.module === 'story')).toEqual([]);
  });
});

describe('report-driven announcements (periodic check effectively off)', () => {
  let t: TestServer;
  beforeAll(async () => {
    // An hour between checks: whatever arrives within the test was pushed by the report itself.
    t = await startTestServer({ config: { realtime: { staleCheckIntervalMs: 3_600_000 } } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('announces a failed report at once with its error, and a later ok report clears it', async () => {
    const wf = await subscriber(t, ['workflow']);
    const sync = await subscriber(t, ['sync']);

    let from = { wf: mark(wf), sync: mark(sync) };
    await report(t, 'ci-runner', 'workflow', 'failed', { error: 'disk on fire', expectedIntervalMs: 60_000 });
    const failed = await nextPair(wf, 'workflow', from.wf, undefined, 1000);
    expect(failed.sync).toMatchObject({ status: 'failed', lastSuccessfulSyncAt: null });
    expect(failed.sync.error).toContain('disk on fire');
    expect(failed.stale).toMatchObject({ isStale: true, lastSuccessfulUpdateAt: null });
    expect(failed.stale.reason).toContain('disk on fire');
    const failedForSync = await nextPair(sync, 'workflow', from.sync, undefined, 1000);
    expect([failedForSync.stale, failedForSync.sync]).toEqual([failed.stale, failed.sync]);
    await expectRestAgrees(t, failed);

    from = { wf: mark(wf), sync: mark(sync) };
    const okAt = await report(t, 'ci-runner', 'workflow', 'ok', { expectedIntervalMs: 60_000 });
    const ok = await nextPair(wf, 'workflow', from.wf, false, 1000);
    expect(ok.stale).toEqual({ type: 'stale_state', module: 'workflow', isStale: false, lastSuccessfulUpdateAt: okAt, reason: null });
    expect(ok.sync).toEqual({ type: 'sync_status', module: 'workflow', status: 'ok', lastSuccessfulSyncAt: okAt, error: null });
    expect((await nextPair(sync, 'workflow', from.sync, false, 1000)).stale).toEqual(ok.stale);
    await expectRestAgrees(t, ok);

    // A new failure keeps the time of the last success.
    from = { wf: mark(wf), sync: mark(sync) };
    await report(t, 'ci-runner', 'workflow', 'failed', { error: 'quota exceeded', expectedIntervalMs: 60_000 });
    const failedAgain = await nextPair(wf, 'workflow', from.wf, true, 1000);
    expect(failedAgain.sync).toMatchObject({ status: 'failed', lastSuccessfulSyncAt: okAt });
    expect(failedAgain.sync.error).toContain('quota exceeded');
    expect(failedAgain.stale.reason).toContain('quota exceeded');
    await expectRestAgrees(t, failedAgain);
  });

  it('tells a client that resumes with subscribe{resumeFrom} the current freshness of its topics', async () => {
    const before = await subscriber(t, ['project']);
    const okAt = await report(t, 'importer', 'project', 'ok', { expectedIntervalMs: 60_000 });
    const fresh = await nextPair(before, 'project', 0, false, 1000);
    expect(fresh.stale.lastSuccessfulUpdateAt).toBe(okAt);
    const welcome = before.messages[0] as WelcomeMessage;
    // No event of its topic came since (sync.reported travels on 'sync'), so its position is still the snapshot's.
    const position = before.messages.find((m): m is ResyncCompleteMessage => m.type === 'resync_complete')!.toEventId;
    before.close();

    // While it is away the source fails: the announcement reaches nobody, and no event of its topics carries it.
    await report(t, 'importer', 'project', 'failed', { error: 'token expired' });

    const c = await TestWsClient.authed(t.url, t.keys.read);
    open.push(c);
    const from = mark(c);
    c.send({ type: 'subscribe', topics: ['project'], resumeFrom: { lastAckEventId: position, epoch: welcome.epoch } });
    const done = await c.waitFor<ResyncCompleteMessage>((m) => m.type === 'resync_complete', 5000, from);
    expect(done).toMatchObject({ recovered: true });
    await roundTrip(c);
    const pushed = c.messages.slice(from).filter((m) => (m.type === 'stale_state' || m.type === 'sync_status') && m.module === 'project');
    expect(pushed, 'a resumed client must learn that its module went stale while it was away').toEqual([
      expect.objectContaining({ type: 'stale_state', isStale: true, lastSuccessfulUpdateAt: okAt, reason: expect.stringContaining('token expired') }),
      expect.objectContaining({ type: 'sync_status', status: 'failed', lastSuccessfulSyncAt: okAt, error: expect.stringContaining('token expired') }),
    ]);
    await expectRestAgrees(t, { stale: pushed[0] as StaleStateMessage, sync: pushed[1] as SyncStatusMessage });
  });

  it('pushes each change of a module to its subscribers only', async () => {
    const c = await subscriber(t, ['agent']);
    const first = mark(c);
    const okAt = await report(t, 'agent-dir', 'agent', 'ok', { expectedIntervalMs: 60_000 });
    const fresh = await nextPair(c, 'agent', first, false, 1000);
    expect(fresh.stale.lastSuccessfulUpdateAt).toBe(okAt);
    // A newer ok report moves lastSuccessfulUpdateAt, which is a change the client must see.
    const second = mark(c);
    const nextOkAt = await report(t, 'agent-dir', 'agent', 'ok', { expectedIntervalMs: 60_000 });
    const moved = await nextPair(c, 'agent', second, false, 1000);
    expect(moved.stale.lastSuccessfulUpdateAt).toBe(nextOkAt);
    await expectRestAgrees(t, moved);
    // Reports about other modules are not pushed to an agent-only subscriber.
    const third = mark(c);
    await report(t, 'cost-feed', 'cost', 'failed', { error: 'nope' });
    await roundTrip(c);
    expect(c.messages.slice(third).filter((m) => m.type === 'stale_state' || m.type === 'sync_status')).toEqual([]);
  });
});
