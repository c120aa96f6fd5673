import Database from 'better-sqlite3';
import { testBackend } from '../support/postgres.js';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { workflowUpserted } from '../support/events.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let t: TestServer | undefined;
let blocker: Database.Database | undefined;
afterEach(async () => {
  if (blocker?.inTransaction) blocker.exec('rollback');
  blocker?.close();
  blocker = undefined;
  await t?.close();
  t = undefined;
});

const batch = (tag: string, n = 10) => Array.from({ length: n }, (_, i) => workflowUpserted(`wf-${tag}-${i}`));

/** Another process holding SQLite's write lock: the situation in which the write path saturates. */
function holdWriteLock(dataDir: string): Database.Database {
  const db = new Database(path.join(dataDir, 'bmad-ops.sqlite'));
  db.exec('begin immediate');
  return db;
}

function storedIds(dataDir: string, prefix: string): number {
  const db = new Database(path.join(dataDir, 'bmad-ops.sqlite'), { readonly: true });
  try {
    return (db.prepare("select count(*) as n from domain_events where entity_id like ? || '%'").get(prefix) as { n: number }).n;
  } finally {
    db.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// SQLite only: the test holds SQLite's write lock from a second connection to the file. On Postgres the writers'
// advisory lock and lock_timeout take that role (tests/cluster covers several writers).
describe.skipIf(testBackend() === 'postgres')('overload', () => {
  it('answers 429 with Retry-After when the writer queue is full, and commits everything it queued', async () => {
    t = await startTestServer({ config: { ingest: { maxQueuedEvents: 25 }, sqlite: { busyTimeoutMs: 10, lockRetries: 200 } } });
    blocker = holdWriteLock(t.dataDir);
    const first = t.ingest(batch('q1'));
    await sleep(150); // the writer is now retrying the lock with q1 in hand
    const queued = [t.ingest(batch('q2')), t.ingest(batch('q3'))];
    await sleep(100);
    const refused = await t.ingest(batch('q4'));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('overloaded');
    // Reads keep working while ingestion is saturated.
    expect((await t.get('/api/v1/workflows')).status).toBe(200);
    blocker.exec('commit');
    const statuses = await Promise.all([first, ...queued].map(async (p) => (await p).status));
    expect(statuses).toEqual([200, 200, 200]);
    expect(storedIds(t.dataDir, 'wf-q')).toBe(30);
    expect(storedIds(t.dataDir, 'wf-q4')).toBe(0);
  });

  it('answers 429 (never 5xx) when the write lock cannot be had, stores nothing, and recovers', async () => {
    t = await startTestServer({ config: { sqlite: { busyTimeoutMs: 10, lockRetries: 3 } } });
    blocker = holdWriteLock(t.dataDir);
    const res = await t.ingest(batch('lock'));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBeTruthy();
    blocker.exec('commit');
    expect(storedIds(t.dataDir, 'wf-lock')).toBe(0);
    const retry = await t.ingest(batch('lock'));
    expect(retry.status).toBe(200);
    expect(storedIds(t.dataDir, 'wf-lock')).toBe(10);
    const metrics = await (await t.get('/metrics', t.keys.metrics)).text();
    const waits = /sqlite_write_lock_wait_ms_sum ([\d.e+]+)/.exec(metrics);
    expect(Number(waits?.[1])).toBeGreaterThan(10);
  });

  it('rate-limits ingestion per key with 429', async () => {
    t = await startTestServer({ config: { ingest: { rateLimitPerSecond: 3 } } });
    const statuses = await Promise.all(Array.from({ length: 6 }, (_, i) => t!.ingest(batch(`rl${i}`, 1)).then((r) => r.status)));
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(3);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
  });
});
