import { sql } from 'kysely';
import { testBackend } from '../support/postgres.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowUpserted } from '../support/events.js';
import { ingestAccepted } from '../support/ingest.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { until } from '../support/wait.js';

/**
 * A full disk, made real with SQLite's own cap on the database's size (max_page_count on the writing connection):
 * every write that needs a new page fails with SQLITE_FULL, exactly as on a full filesystem.
 */
// SQLite only: the full disk is simulated on the database file in the data dir; Postgres reports its own disk errors.
describe.skipIf(testBackend() === 'postgres')('a full disk', () => {
  let t: TestServer;
  const cap = async (pages: number | 'current') => {
    const write = t.server.core.db.write;
    const n = pages === 'current' ? Number((await sql<{ page_count: number }>`pragma page_count`.execute(write)).rows[0]!.page_count) : pages;
    await sql.raw(`pragma max_page_count = ${n}`).execute(write);
  };
  const stored = async (ids: string[]) =>
    (await t.server.core.db.read.selectFrom('domain_events').select('source_event_id').where('source_event_id', 'in', ids).execute()).length;
  const health = async (token?: string | null) => {
    const res = await t.get('/api/v1/health', token);
    return { status: res.status, body: (await res.json()) as { status: string; checks?: { storage: { ok: boolean; kind?: string } } } };
  };

  beforeAll(async () => {
    // Rounds on the main thread's connection, where the cap is set: a writer thread's connection would not have it.
    // The errors a writer thread reports cross with their SQLite code (writer-thread.test.ts), so the same branch runs.
    t = await startTestServer({ config: { sqlite: { storageProbeMs: 50 }, ingest: { writerThread: 'main' } } });
  });
  afterAll(() => t.close());

  it('refuses writes with 507 and Retry-After, fails readiness, loses nothing acknowledged, and recovers by itself', async () => {
    const before = Array.from({ length: 50 }, (_, i) => workflowUpserted(`wf-ok-${i}`));
    await ingestAccepted(t, before);
    // Grow the database a little beyond what the first events need, then freeze its size.
    await cap('current');
    const refused = Array.from({ length: 200 }, (_, i) => workflowUpserted(`wf-full-${i}`, { name: `Full ${i} ${'x'.repeat(100)}` }));
    const res = await t.ingest(refused);
    expect(res.status).toBe(507);
    expect(res.headers.get('retry-after')).toBe('30');
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('insufficient_storage');
    expect(body.error.message).toMatch(/disk is full: nothing from this request was stored/);

    expect(await health(null)).toEqual({ status: 503, body: { status: 'unavailable' } });
    const detailed = await health(t.keys.metrics);
    expect(detailed.status).toBe(503);
    expect(detailed.body.checks?.storage).toMatchObject({ ok: false, kind: 'full' });

    expect(await stored(before.map((e) => e.id))).toBe(before.length);
    expect(await stored(refused.map((e) => e.id))).toBe(0);
    // Still full: a second attempt is refused the same way and the server stays up.
    expect((await t.ingest(refused)).status).toBe(507);

    // Space returns: the probe notices without any client writing, and the refused events go in when re-sent.
    await cap(1_073_741_823);
    await until(async () => (await health(null)).status === 200, 'readiness comes back once the disk has room');
    await ingestAccepted(t, refused);
    expect(await stored(refused.map((e) => e.id))).toBe(refused.length);
    expect(await stored(before.map((e) => e.id))).toBe(before.length);
  });
});
