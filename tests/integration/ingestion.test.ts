import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestResponseSchema, workflowSchema, transitionListSchema } from '../../src/contracts/index.js';
import { at, projectUpserted, storyUpserted, workflowTransitioned, workflowUpserted } from '../support/events.js';
import { openTestDb } from '../support/test-db.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
});

async function countRows(table: string, where = '1=1', ...params: unknown[]): Promise<number> {
  const db = openTestDb(t.dataDir, { readonly: true });
  try {
    return (await db.get<{ n: number }>(`select count(*) as n from ${table} where ${where}`, ...params))!.n;
  } finally {
    await db.close();
  }
}

describe('POST /api/v1/events', () => {
  it('accepts a batch, returns sequence numbers in order, and projects it', async () => {
    const events = [
      projectUpserted('p-ing-1'),
      storyUpserted('s-ing-1', 'p-ing-1'),
      workflowUpserted('wf-ing-1', { projectId: 'p-ing-1', storyId: 's-ing-1' }),
    ];
    const res = await t.ingest(events);
    expect(res.status).toBe(200);
    const body = ingestResponseSchema.parse(await res.json());
    expect(body.accepted).toBe(3);
    const ids = body.results.map((r) => (r.status === 'accepted' ? r.eventId : -1));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(3);
    const wf = workflowSchema.parse(await (await t.get('/api/v1/workflows/wf-ing-1')).json());
    expect(wf).toMatchObject({ id: 'wf-ing-1', projectId: 'p-ing-1', storyId: 's-ing-1', status: 'queued' });
  });

  it('reports an identical re-send as duplicate with the original sequence, storing nothing again', async () => {
    const e = workflowUpserted('wf-dup');
    const first = ingestResponseSchema.parse(await (await t.ingest([e])).json());
    const again = ingestResponseSchema.parse(await (await t.ingest([e, e])).json());
    expect(first.results[0]).toMatchObject({ status: 'accepted' });
    const seq = first.results[0]!.status === 'accepted' ? first.results[0]!.eventId : 0;
    expect(again.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
    expect(again.results.every((r) => r.status === 'duplicate' && r.eventId === seq)).toBe(true);
    expect(await countRows('domain_events', 'source_event_id = ?', e.id)).toBe(1);
  });

  it('treats the same source + id with different content as a conflict (207)', async () => {
    const e = workflowUpserted('wf-conflict');
    await t.ingest([e]);
    const res = await t.ingest([{ ...e, payload: { ...e.payload, name: 'changed' } }]);
    expect(res.status).toBe(207);
    const body = ingestResponseSchema.parse(await res.json());
    expect(body.results[0]).toMatchObject({ status: 'rejected', code: 'conflict' });
    expect(await countRows('domain_events', 'source_event_id = ?', e.id)).toBe(1);
  });

  it('stores the good events of a batch with one bad event, and a retry changes nothing', async () => {
    const good = [workflowUpserted('wf-mixed-1'), workflowUpserted('wf-mixed-2')];
    const bad = workflowUpserted('wf-mixed-bad', { status: 'running' });
    const batch = [good[0], bad, good[1]];
    const res = await t.ingest(batch);
    expect(res.status).toBe(207);
    const body = ingestResponseSchema.parse(await res.json());
    expect(body.results.map((r) => r.status)).toEqual(['accepted', 'rejected', 'accepted']);
    const rejected = body.results[1]!;
    expect(rejected.status === 'rejected' && rejected.errors.some((f) => f.path === 'payload.status')).toBe(true);
    const retry = ingestResponseSchema.parse(await (await t.ingest(batch)).json());
    expect(retry.results.map((r) => r.status)).toEqual(['duplicate', 'rejected', 'duplicate']);
    expect(await countRows('workflows', "id like 'wf-mixed%'")).toBe(2);
  });

  it('records every transition, whatever order they arrive in, and keeps the newest status', async () => {
    const events = [
      workflowTransitioned('wf-order', 'in_progress', 'done', { occurredAt: at(30) }),
      workflowTransitioned('wf-order', 'queued', 'in_progress', { occurredAt: at(10) }),
      workflowUpserted('wf-order', { status: 'queued' }, { occurredAt: at(0) }),
    ];
    for (const e of events) expect((await t.ingest([e])).status).toBe(200);
    const wf = workflowSchema.parse(await (await t.get('/api/v1/workflows/wf-order')).json());
    expect(wf.status).toBe('done');
    expect(wf.lastTransitionAt).toBe(at(30));
    const tr = transitionListSchema.parse(await (await t.get('/api/v1/workflows/wf-order/transitions')).json());
    expect(tr.items.map((x) => [x.fromStatus, x.toStatus])).toEqual([
      ['queued', 'in_progress'],
      ['in_progress', 'done'],
    ]);
  });

  it('rejects an event whose transition is not in the status model', async () => {
    const res = await t.ingest([workflowTransitioned('wf-bad-tr', 'done', 'queued')]);
    expect(res.status).toBe(207);
    const body = ingestResponseSchema.parse(await res.json());
    expect(body.results[0]).toMatchObject({ status: 'rejected', errors: [{ path: 'payload.to' }] });
  });

  it('answers 400 for malformed JSON and a missing events array, 413 beyond 1,000 events or 1 MiB', async () => {
    expect((await t.post('/api/v1/events', '{"events": [')).status).toBe(400);
    expect((await t.post('/api/v1/events', { items: [] })).status).toBe(400);
    expect((await t.post('/api/v1/events', [])).status).toBe(400);
    const many = Array.from({ length: 1001 }, (_, i) => workflowUpserted(`wf-many-${i}`));
    expect((await t.ingest(many)).status).toBe(413);
    const huge = JSON.stringify({ events: [workflowUpserted('wf-huge', { name: 'x'.repeat(1024 * 1024) })] });
    expect((await t.post('/api/v1/events', huge)).status).toBe(413);
    expect(await countRows('domain_events', "entity_id like 'wf-many-%' or entity_id = 'wf-huge'")).toBe(0);
  });

  it('requires a key with the ingest scope', async () => {
    expect((await t.post('/api/v1/events', { events: [workflowUpserted('wf-auth')] }, null)).status).toBe(401);
    expect((await t.post('/api/v1/events', { events: [workflowUpserted('wf-auth')] }, t.keys.read)).status).toBe(403);
    expect((await t.post('/api/v1/events', { events: [workflowUpserted('wf-auth')] }, 'bmo_000000000000_' + 'a'.repeat(32))).status).toBe(401);
  });
});
