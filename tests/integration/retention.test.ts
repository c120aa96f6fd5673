import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costSummarySchema, workflowPageSchema, type ResyncCompleteMessage } from '../../src/contracts/index.js';
import { fixedClock } from '../../src/server/clock.js';
import { loadConfig } from '../../src/server/config.js';
import { retentionRepository } from '../../src/server/modules/events/retention.repository.js';
import { costRecorded, projectUpserted, storyStatusChanged, storyUpserted, workflowTransitioned, workflowUpserted } from '../support/events.js';
import { ingestAccepted } from '../support/ingest.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';

const DAY = 86_400_000;
const clock = fixedClock(new Date('2026-10-01T12:00:00.000Z'));

describe('retention (BMAD_OPS_RETENTION_DAYS)', () => {
  let t: TestServer;
  const oldIds: { kept: string[]; pruned: string[] } = { kept: [], pruned: [] };
  let newIds: string[] = [];
  let lastOldEventId = 0;

  const sourceIds = async () =>
    new Set((await t.server.core.db.read.selectFrom('domain_events').select('source_event_id').execute()).map((r) => r.source_event_id));
  const readModels = async () => ({
    workflows: workflowPageSchema.parse(await (await t.get('/api/v1/workflows?pageSize=100')).json()).items.map((w) => [w.id, w.status, w.name]),
    costs: costSummarySchema.parse(
      await (await t.get('/api/v1/costs/summary?window=custom&start=2026-09-01T00:00:00.000Z&end=2026-12-01T00:00:00.000Z')).json(),
    ).breakdown,
    stories: await t.server.core.db.read.selectFrom('stories').select(['id', 'status']).orderBy('id').execute(),
  });

  beforeAll(async () => {
    // Small windows, no pause, passes started by the test: every rule is exercised on a few dozen events.
    t = await startTestServer({ clock, config: { retention: { days: 30, batchSize: 7, pauseMs: 0, intervalMs: 3600_000 } } });

    const upserts = [
      projectUpserted('p-old'),
      storyUpserted('s-old', 'p-old'),
      ...Array.from({ length: 20 }, (_, i) => workflowUpserted(`wf-old-${i}`, { projectId: 'p-old' })),
    ];
    const status = storyStatusChanged('s-old', 'in_progress', 'queued');
    const transitions = [workflowTransitioned('wf-old-0', 'queued', 'in_progress')];
    const costs = [costRecorded('c-old', { projectId: 'p-old', amount: 2.5 }, { occurredAt: '2026-10-01T11:00:00.000Z' })];
    await ingestAccepted(t, [...upserts, status]);
    await ingestAccepted(t, [...transitions, ...costs]);
    oldIds.pruned = [...upserts, status].map((e) => e.id);
    oldIds.kept = [...transitions, ...costs].map((e) => e.id);
    lastOldEventId = await t.server.core.db.read
      .selectFrom('domain_events')
      .select((eb) => eb.fn.max('id').as('m'))
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.m));

    clock.advance(40 * DAY);
    const fresh = [workflowUpserted('wf-new'), costRecorded('c-new', { projectId: 'p-old', amount: 1 }, { occurredAt: '2026-11-10T11:00:00.000Z' })];
    await ingestAccepted(t, fresh);
    newIds = fresh.map((e) => e.id);
  });
  afterAll(() => t.close());

  it('deletes old events a read model no longer points to, keeps the rest, and leaves every figure as it was', async () => {
    const before = await readModels();
    const report = await t.server.retention.pruneOnce();
    expect(report.boundary).toBe(lastOldEventId);
    expect(report.batches).toBeGreaterThan(1);
    const ids = await sourceIds();
    expect(oldIds.pruned.filter((id) => ids.has(id))).toEqual([]);
    expect(oldIds.kept.filter((id) => !ids.has(id))).toEqual([]);
    expect(newIds.filter((id) => !ids.has(id))).toEqual([]);
    expect(report.deleted).toBe(oldIds.pruned.length);
    expect(await readModels()).toEqual(before);
    expect(await retentionRepository.prunedThrough(t.server.core.db.read)).toBe(lastOldEventId);
    // A second pass has nothing left to do.
    expect((await t.server.retention.pruneOnce()).deleted).toBe(0);
  });

  it('a client behind the pruned point gets a snapshot; one after it gets the replay', async () => {
    // The read key: a session signed in before the clock moved on 40 days has expired.
    const c = await TestWsClient.authed(t.url, t.keys.read, ['workflow']);
    c.send({ type: 'resync_request', lastAckEventId: 1, epoch: (c.messages.find((m) => m.type === 'welcome') as { epoch: string }).epoch });
    const behind = await c.waitFor<ResyncCompleteMessage>((m) => m.type === 'resync_complete' && m.reason === 'pruned');
    expect(behind.recovered).toBe(false);
    const from = c.messages.length;
    c.send({ type: 'resync_request', lastAckEventId: lastOldEventId, epoch: (c.messages.find((m) => m.type === 'welcome') as { epoch: string }).epoch });
    const after = await c.waitFor<ResyncCompleteMessage>((m) => m.type === 'resync_complete', 5000, from);
    expect(after.recovered).toBe(true);
    c.ws.close();
  });

  it('ingestion carries on while a pass runs: writes land between its windows', async () => {
    clock.advance(40 * DAY);
    const many = Array.from({ length: 300 }, (_, i) => workflowUpserted(`wf-bulk-${i}`));
    for (let i = 0; i < many.length; i += 100) await ingestAccepted(t, many.slice(i, i + 100));
    clock.advance(40 * DAY);
    const pass = t.server.retention.pruneOnce();
    let during = 0;
    let passDone = false;
    void pass.then(() => (passDone = true));
    for (let i = 0; i < 5 && !passDone; i++) {
      await ingestAccepted(t, [workflowUpserted(`wf-during-${i}`)]);
      if (!passDone) during++;
    }
    const report = await pass;
    expect(report.batches).toBeGreaterThan(5);
    expect(during).toBeGreaterThan(0);
  });

  it('is off by default and read from BMAD_OPS_RETENTION_DAYS', () => {
    expect(loadConfig({}).retention.days).toBe(0);
    expect(loadConfig({ BMAD_OPS_RETENTION_DAYS: '90' }).retention.days).toBe(90);
    expect(() => loadConfig({ BMAD_OPS_RETENTION_DAYS: 'soon' })).toThrow(/BMAD_OPS_RETENTION_DAYS/);
  });
});
