import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBodySchema, ingestResponseSchema } from '../../src/contracts/index.js';
import { projectUpserted, workflowUpserted } from '../support/events.js';
import { openTestDb } from '../support/test-db.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  expect((await t.ingest([projectUpserted('p-known'), workflowUpserted('wf-known', { projectId: 'p-known' })])).status).toBe(200);
});
afterAll(async () => {
  await t.close();
});

async function storedEvents(): Promise<number> {
  const db = openTestDb(t.dataDir, { readonly: true });
  try {
    return (await db.get<{ n: number }>('select count(*) as n from domain_events'))!.n;
  } finally {
    await db.close();
  }
}

const deep = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const SQL = "x'; DROP TABLE domain_events; --";
const SCRIPT = '<script>alert(1)</script>';

/** [description, path, expected status, field path expected in the 422 body] */
const badQueries: [string, string, number, string?][] = [
  ['unknown status', '/api/v1/workflows?status=running', 422, 'status[0]'],
  ['empty status list', '/api/v1/workflows?status=,', 422, 'status'],
  ['SQL in a status', `/api/v1/workflows?status=${encodeURIComponent(SQL)}`, 422, 'status[0]'],
  ['repeated parameter', '/api/v1/workflows?status=done&status=failed', 422, 'status'],
  ['unknown parameter', '/api/v1/workflows?stauts=done', 422],
  ['bracket parameter', '/api/v1/workflows?status[]=done', 422],
  ['page zero', '/api/v1/workflows?page=0', 422, 'page'],
  ['negative page', '/api/v1/workflows?page=-1', 422, 'page'],
  ['page not a number', '/api/v1/workflows?page=abc', 422, 'page'],
  ['page size too large', '/api/v1/workflows?pageSize=100000', 422, 'pageSize'],
  ['fractional page size', '/api/v1/workflows?pageSize=1.5', 422, 'pageSize'],
  ['huge owner id', `/api/v1/workflows?ownerId=${'x'.repeat(5000)}`, 422, 'ownerId'],
  ['control char in id', '/api/v1/workflows?projectId=%00', 422, 'projectId'],
  ['transitions limit too large', '/api/v1/workflows/wf-known/transitions?limit=5000', 422, 'limit'],
  ['transitions limit text', '/api/v1/workflows/wf-known/transitions?limit=ten', 422, 'limit'],
  ['huge path id', `/api/v1/workflows/${'x'.repeat(300)}`, 422, 'id'],
  ['script path id', `/api/v1/projects/${encodeURIComponent(SCRIPT)}`, 404],
  ['SQL path id', `/api/v1/projects/${encodeURIComponent(SQL)}/context`, 404],
  ['riskFlag not boolean', '/api/v1/projects?riskFlag=yes', 422, 'riskFlag'],
  ['overdue as 1', '/api/v1/projects?overdue=1', 422, 'overdue'],
  ['project status unknown', '/api/v1/projects?status=late', 422, 'status[0]'],
  ['story column too long', `/api/v1/stories?column=${'c'.repeat(100)}`, 422, 'column'],
  ['story status unknown', '/api/v1/stories?status=review', 422, 'status[0]'],
  ['board without project', '/api/v1/kanban/board', 422, 'projectId'],
  ['board with extra param', '/api/v1/kanban/board?projectId=p-known&x=1', 422],
  ['sync status with a parameter', '/api/v1/sync/status?module=story', 422],
  ['bad percent-encoding', '/api/v1/workflows/%E0%A4%A', 400],
  ['unknown route', '/api/v1/nothing-here', 404],
];

describe('every invalid query or path parameter gets its 4xx', () => {
  it.each(badQueries)('%s', async (_name, url, status, field) => {
    const res = await t.get(url);
    expect(res.status).toBe(status);
    const body = errorBodySchema.parse(await res.json());
    if (status === 422) {
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.fields?.length).toBeGreaterThan(0);
      if (field) expect(body.error.fields?.map((f) => f.path)).toContain(field);
    }
  });
});

const valid = () => workflowUpserted(`wf-bad-${Math.random().toString(36).slice(2)}`);

/** Events that must each be rejected with a field error naming `path`. */
const badEvents: [string, () => unknown, string][] = [
  ['not an object', () => 'hello', '(root)'],
  ['null', () => null, '(root)'],
  ['missing id', () => ({ ...valid(), id: undefined }), 'id'],
  ['numeric id', () => ({ ...valid(), id: 42 }), 'id'],
  ['empty id', () => ({ ...valid(), id: '' }), 'id'],
  ['id over 128 chars', () => ({ ...valid(), id: 'i'.repeat(129) }), 'id'],
  ['control char in id', () => ({ ...valid(), id: 'a\u0000b' }), 'id'],
  ['source over 64 chars', () => ({ ...valid(), source: 's'.repeat(65) }), 'source'],
  ['unknown type', () => ({ ...valid(), type: 'workflow.exploded' }), 'type'],
  ['SQL as type', () => ({ ...valid(), type: SQL }), 'type'],
  ['date without offset', () => ({ ...valid(), occurredAt: '2026-11-29T08:00:00' }), 'occurredAt'],
  ['impossible date', () => ({ ...valid(), occurredAt: '2026-02-30T08:00:00Z' }), 'occurredAt'],
  ['date as number', () => ({ ...valid(), occurredAt: 1764403200000 }), 'occurredAt'],
  ['words as date', () => ({ ...valid(), occurredAt: 'yesterday' }), 'occurredAt'],
  ['entity type mismatch', () => ({ ...valid(), entity: { type: 'story', id: 'x' } }), 'entity.type'],
  ['missing entity', () => ({ ...valid(), entity: undefined }), 'entity'],
  ['unknown envelope field', () => ({ ...valid(), extra: 1 }), '(root)'],
  ['unknown status', () => workflowUpserted('wf-x', { status: 'running' }), 'payload.status'],
  ['status of the wrong entity', () => ({ ...projectUpserted('p-x'), payload: { name: 'P', status: 'failed' } }), 'payload.status'],
  ['transition not allowed', () => ({ ...valid(), type: 'workflow.transitioned', payload: { from: 'done', to: 'queued' } }), 'payload.to'],
  ['transition to itself', () => ({ ...valid(), type: 'workflow.transitioned', payload: { from: 'blocked', to: 'blocked' } }), 'payload.to'],
  ['name as number', () => workflowUpserted('wf-x', { name: 7 }), 'payload.name'],
  ['blank name', () => workflowUpserted('wf-x', { name: '   ' }), 'payload.name'],
  ['huge name', () => workflowUpserted('wf-x', { name: 'n'.repeat(10_000) }), 'payload.name'],
  ['unknown payload field', () => workflowUpserted('wf-x', { colour: 'red' }), 'payload'],
  ['deep JSON payload', () => ({ ...valid(), payload: JSON.parse(deep(2000)) as unknown }), 'payload'],
  ['progress over 100', () => projectUpserted('p-x', { progressPct: 140 }), 'payload.progressPct'],
  ['bad due date', () => projectUpserted('p-x', { dueAt: '31/12/2026' }), 'payload.dueAt'],
  ['context contradicts entity', () => ({ ...valid(), workflowId: 'other' }), 'workflowId'],
  [
    'cost with neither amount nor tokens',
    () => ({ id: 'c-bad', source: 't', type: 'cost.recorded', occurredAt: '2026-11-29T08:00:00Z', entity: { type: 'cost', id: 'c' }, payload: {} }),
    'payload.amount',
  ],
  [
    'cost amount without currency',
    () => ({ id: 'c-bad2', source: 't', type: 'cost.recorded', occurredAt: '2026-11-29T08:00:00Z', entity: { type: 'cost', id: 'c' }, payload: { amount: 1 } }),
    'payload.currency',
  ],
  [
    'negative cost',
    () => ({
      id: 'c-bad3',
      source: 't',
      type: 'cost.recorded',
      occurredAt: '2026-11-29T08:00:00Z',
      entity: { type: 'cost', id: 'c' },
      payload: { amount: -1, currency: 'USD' },
    }),
    'payload.amount',
  ],
  [
    'lowercase currency',
    () => ({
      id: 'c-bad4',
      source: 't',
      type: 'cost.recorded',
      occurredAt: '2026-11-29T08:00:00Z',
      entity: { type: 'cost', id: 'c' },
      payload: { amount: 1, currency: 'usd' },
    }),
    'payload.currency',
  ],
  [
    'failed sync without error',
    () => ({
      id: 'sy-bad',
      source: 't',
      type: 'sync.reported',
      occurredAt: '2026-11-29T08:00:00Z',
      entity: { type: 'sync', id: 'c' },
      payload: { module: 'story', status: 'failed' },
    }),
    'payload.error',
  ],
  [
    'unknown sync module',
    () => ({
      id: 'sy-bad2',
      source: 't',
      type: 'sync.reported',
      occurredAt: '2026-11-29T08:00:00Z',
      entity: { type: 'sync', id: 'c' },
      payload: { module: 'weather', status: 'ok' },
    }),
    'payload.module',
  ],
  [
    'invalid email',
    () => ({
      id: 'u-bad',
      source: 't',
      type: 'user.upserted',
      occurredAt: '2026-11-29T08:00:00Z',
      entity: { type: 'user', id: 'u' },
      payload: { email: SCRIPT, displayName: 'X' },
    }),
    'payload.email',
  ],
];

describe('every invalid event is rejected with a field error and nothing is stored', () => {
  it.each(badEvents)('%s', async (_name, build, fieldPath) => {
    const before = await storedEvents();
    const res = await t.ingest([build()]);
    expect(res.status).toBe(207);
    const body = ingestResponseSchema.parse(await res.json());
    const result = body.results[0]!;
    expect(result.status).toBe('rejected');
    if (result.status === 'rejected') expect(result.errors.map((e) => e.path)).toContain(fieldPath);
    expect(await storedEvents()).toBe(before);
  });

  it('stores script and SQL fragments in free text verbatim, as data', async () => {
    const e = workflowUpserted('wf-text', { name: `${SCRIPT} ${SQL}` });
    expect((await t.ingest([e])).status).toBe(200);
    const wf = (await (await t.get('/api/v1/workflows/wf-text')).json()) as { name: string };
    expect(wf.name).toBe(`${SCRIPT} ${SQL}`);
    expect((await t.get('/api/v1/workflows')).status).toBe(200);
  });
});

/** Whole-request failures: [description, body, content type, expected status] */
const badRequests: [string, string, string, number][] = [
  ['malformed JSON', '{"events": [', 'application/json', 400],
  ['events not an array', '{"events": {}}', 'application/json', 400],
  ['events empty', '{"events": []}', 'application/json', 400],
  ['top-level array', '[]', 'application/json', 400],
  ['top-level string', '"events"', 'application/json', 400],
  ['deep JSON body', `{"events":[${deep(50_000)}]}`, 'application/json', 207],
  ['form-encoded body', 'events=1', 'application/x-www-form-urlencoded', 415],
  ['no content type', '{"events":[]}', 'text/plain', 415],
];

describe('whole-request failures on POST /events', () => {
  it.each(badRequests)('%s', async (_name, body, type, status) => {
    const before = await storedEvents();
    const res = await fetch(`${t.url}/api/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${t.keys.ingest}`, 'content-type': type }, body });
    expect(res.status).toBe(status);
    expect(await storedEvents()).toBe(before);
  });
});

describe('login and preferences bodies', () => {
  const cases: [string, string, number][] = [
    ['missing password', '{"email":"a@b.c"}', 422],
    ['email as number', '{"email":5,"password":"x"}', 422],
    ['huge password', JSON.stringify({ email: 'a@b.c', password: 'p'.repeat(5000) }), 422],
    ['extra field', '{"email":"a@b.c","password":"x","admin":true}', 422],
    ['malformed JSON', '{"email":', 400],
    ['body over 64 KiB', JSON.stringify({ email: 'a@b.c', password: 'p'.repeat(70_000) }), 413],
    ['SQL as email', JSON.stringify({ email: SQL, password: SQL }), 401],
  ];
  it.each(cases)('%s', async (_name, body, status) => {
    const res = await fetch(`${t.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(status);
    errorBodySchema.parse(await res.json());
  });
});

describe('requests Node refuses before routing', () => {
  it('headers over 16 KiB and the body limit are answered with the usual JSON error, naming the limit', async () => {
    const long = await fetch(`${t.url}/api/v1/workflows?q=${'a'.repeat(20_000)}`, { headers: { authorization: `Bearer ${t.keys.read}` } });
    expect(long.status).toBe(431);
    expect(errorBodySchema.parse(await long.json()).error.code).toBe('headers_too_large');
    const big = await fetch(`${t.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@b.c', password: 'p'.repeat(70_000) }),
    });
    expect(errorBodySchema.parse(await big.json()).error.message).toBe('the request body is larger than this endpoint accepts (64 KiB)');
  });
});

describe('after all of that', () => {
  it('the server still serves', async () => {
    expect((await t.get('/api/v1/health', null)).status).toBe(200);
    expect((await t.get('/api/v1/workflows/wf-known')).status).toBe(200);
  });
});
