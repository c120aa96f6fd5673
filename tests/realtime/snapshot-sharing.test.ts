import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { snapshotMessageSchema, workflowSchema } from '../../src/contracts/index.js';
import { fixedClock } from '../../src/server/clock.js';
import { databaseFile } from '../../src/server/config.js';
import { SNAPSHOT_SHARE_MS, SnapshotService } from '../../src/server/modules/realtime/snapshot.service.js';
import { workflowUpserted } from '../support/events.js';
import { ingestAccepted } from '../support/ingest.js';
import { testBackend } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let t: TestServer;
const clock = fixedClock(new Date('2026-12-01T09:00:00.000Z'));
let service: SnapshotService;

beforeAll(async () => {
  t = await startTestServer();
  service = new SnapshotService(t.server.core.db, clock, { staleAfterIntervals: t.server.core.config.realtime.staleAfterIntervals });
  await ingestAccepted(t, [workflowUpserted('snap-1', { name: 'First' })]);
});
afterAll(() => t.close());

const workflowFrame = async () => {
  const snap = await service.frames(['workflow', 'sync']);
  const msg = snapshotMessageSchema.parse(JSON.parse(snap.frames.find((f) => f.topic === 'workflow')!.text));
  expect(msg.version).toBe(snap.version);
  return {
    snap,
    msg,
    names: z
      .object({ items: z.array(workflowSchema) })
      .parse(msg.data)
      .items.map((w) => w.name),
  };
};

describe('snapshot frames shared between subscribers', () => {
  it('hands the same frames to every subscriber at the same head, and fresh ones once an event moves the head', async () => {
    const a = await workflowFrame();
    const b = await workflowFrame();
    expect(b.snap.frames).toEqual(a.snap.frames);
    expect(a.names).toContain('First');
    await ingestAccepted(t, [workflowUpserted('snap-2', { name: 'Second' })]);
    const c = await workflowFrame();
    expect(c.snap.version).toBeGreaterThan(a.snap.version);
    expect(c.names).toEqual(expect.arrayContaining(['First', 'Second']));
  });

  it('takes them afresh after SNAPSHOT_SHARE_MS, dated by when they were taken', async () => {
    const a = await workflowFrame();
    clock.advance(SNAPSHOT_SHARE_MS - 1);
    expect((await workflowFrame()).msg.generatedAt).toBe(a.msg.generatedAt);
    clock.advance(1);
    const later = await workflowFrame();
    expect(later.snap.version).toBe(a.snap.version);
    expect(later.msg.generatedAt).toBe(clock.now().toISOString());
    expect(later.msg.generatedAt).not.toBe(a.msg.generatedAt);
  });

  // Raw SQL on the SQLite file stands in for a read model changed without an event (there is no such path in the
  // product): it shows what a shared frame can hide, and for how long at most.
  it.runIf(testBackend() === 'sqlite')('a change that is not an event shows once the shared frames expire, not before', async () => {
    await workflowFrame();
    const raw = new Database(databaseFile(t.server.core.config));
    try {
      raw.prepare("update workflows set name = 'Renamed' where id = 'snap-1'").run();
    } finally {
      raw.close();
    }
    expect((await workflowFrame()).names).not.toContain('Renamed');
    clock.advance(SNAPSHOT_SHARE_MS);
    expect((await workflowFrame()).names).toContain('Renamed');
  });

  it('never hands out frames taken at a later time than the clock (a clock set back)', async () => {
    const a = await workflowFrame();
    clock.advance(-60_000);
    const b = await workflowFrame();
    expect(b.msg.generatedAt).toBe(clock.now().toISOString());
    expect(b.msg.generatedAt < a.msg.generatedAt).toBe(true);
  });
});
