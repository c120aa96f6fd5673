import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENDPOINTS, endpointKey, fillPath, fullPath, type EndpointSpec } from '../../src/contracts/index.js';
import { fixedClock } from '../../src/server/clock.js';
import { at, costRecorded, projectUpserted, storyUpserted, workflowUpserted } from '../support/events.js';
import { listRoutes } from '../support/route-table.js';
import { ADMIN, startTestServer, type TestServer } from '../support/test-server.js';

let t: TestServer;
let admin = '';

beforeAll(async () => {
  // An identity provider that is never reachable: its routes are mounted, so the document must match them too.
  t = await startTestServer({
    clock: fixedClock(new Date('2026-11-29T12:00:00.000Z')),
    config: { oidc: { issuer: 'http://127.0.0.1:9/', clientId: 'bmad-ops', redirectUrl: 'http://127.0.0.1:9/api/v1/auth/oidc/callback' } },
  });
  await t.ingest([
    projectUpserted('p-1', { name: 'Checkout', ownerId: 'u-ann', status: 'in_progress' }),
    storyUpserted('s-1', 'p-1', { title: 'Login', status: 'in_progress', epic: 'Auth' }, { occurredAt: at(1) }),
    workflowUpserted('wf-1', { projectId: 'p-1', storyId: 's-1', name: 'dev-story', agentId: 'dev', status: 'in_progress' }, { occurredAt: at(2) }),
    costRecorded('c-1', { projectId: 'p-1', storyId: 's-1', workflowId: 'wf-1', agentId: 'dev', amount: 1.25 }, { occurredAt: at(3) }),
  ]);
  const login = await t.post('/api/v1/auth/login', { ...ADMIN, issueToken: true }, null);
  admin = ((await login.json()) as { token: string }).token;
});
afterAll(() => t?.close());

const getDocument = async () => {
  const res = await t.get('/api/v1/openapi.json', null);
  expect(res.status).toBe(200);
  return (await res.json()) as {
    openapi: string;
    paths: Record<string, Record<string, { 'x-access': string }>>;
    components: { schemas: Record<string, unknown> };
  };
};

describe('GET /api/v1/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document, readable without signing in', async () => {
    const doc = await getDocument();
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('describes every mounted route, with its access rule, and nothing that is not mounted', async () => {
    const doc = await getDocument();
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{([A-Za-z]+)\}/g, ':$1')}`),
    );
    const mounted = listRoutes(t.server.app)
      .map((r) => `${r.method} ${r.path}`)
      .filter((r) => r !== 'GET /.*/'); // the web app's own files and client-side routes
    expect(
      mounted.filter((r) => !documented.includes(r)),
      'mounted but not in the document',
    ).toEqual([]);
    expect(
      documented.filter((r) => !mounted.includes(r)),
      'documented but not mounted',
    ).toEqual([]);
    for (const e of ENDPOINTS)
      expect(doc.paths[fullPath(e).replace(/:([A-Za-z]+)/g, '{$1}')]?.[e.method.toLowerCase()]?.['x-access'], endpointKey(e)).toBe(e.access);
  });

  it('carries the WebSocket protocol messages as components', async () => {
    const doc = await getDocument();
    const client = JSON.stringify(doc.components.schemas.ClientMessage);
    for (const type of ['auth', 'subscribe', 'heartbeat', 'resync_request', 'ack']) expect(client).toContain(`"${type}"`);
    const server = JSON.stringify(doc.components.schemas.ServerMessage);
    for (const type of ['welcome', 'snapshot', 'event', 'resync_complete']) expect(server).toContain(`"${type}"`);
  });
});

/** Required inputs for the read endpoints that have them; every other GET is called bare. */
const SAMPLE_CALLS: Record<string, { params?: Record<string, string>; query?: Record<string, string> }> = {
  'GET /api/v1/workflows/:id': { params: { id: 'wf-1' } },
  'GET /api/v1/workflows/:id/transitions': { params: { id: 'wf-1' } },
  'GET /api/v1/projects/:id': { params: { id: 'p-1' } },
  'GET /api/v1/projects/:id/context': { params: { id: 'p-1' } },
  'GET /api/v1/projects/:id/integrity': { params: { id: 'p-1' } },
  'GET /api/v1/projects/:id/flow': { params: { id: 'p-1' }, query: { bucket: 'day', tz: 'UTC' } },
  'GET /api/v1/projects/:id/flow/sources': {
    params: { id: 'p-1' },
    query: { kind: 'throughput', start: '2026-11-29T00:00:00.000Z', end: '2026-11-30T00:00:00.000Z' },
  },
  'GET /api/v1/stories/:id': { params: { id: 's-1' } },
  'GET /api/v1/kanban/board': { query: { projectId: 'p-1' } },
  'GET /api/v1/documents/:id': { params: { id: 'none' } },
  'GET /api/v1/costs/summary': { query: { window: '7d', groupBy: 'agent' } },
  'GET /api/v1/costs/timeseries': { query: { bucket: 'hour', start: '2026-11-29T00:00:00.000Z', end: '2026-11-29T12:00:00.000Z', tz: 'Asia/Kolkata' } },
  'GET /api/v1/analytics/agents/trends': { query: { start: '2026-11-22T00:00:00.000Z', end: '2026-11-30T00:00:00.000Z', bucket: 'day' } },
  'GET /api/v1/analytics/agents/outliers': { query: { start: '2026-11-22T00:00:00.000Z', end: '2026-11-30T00:00:00.000Z', kpi: 'failure_rate' } },
  'GET /api/v1/alerts/channels/:id/deliveries': { params: { id: 'none' } },
};

/** Answers that are not JSON, or need state this test does not make (a lineage reference, a sign-in under way). */
const NOT_JSON = (e: EndpointSpec) => e.response === null || e.path === '/analytics/lineage/:lineageRef';

describe('the catalogue matches what the server answers', () => {
  it('every JSON GET endpoint answers a body its declared response schema accepts', async () => {
    const checked: string[] = [];
    const wrong: string[] = [];
    for (const e of ENDPOINTS.filter((x) => x.method === 'GET' && !NOT_JSON(x))) {
      const sample = SAMPLE_CALLS[endpointKey(e)] ?? {};
      const path = `${e.base ?? '/api/v1'}${fillPath(e.path, sample.params)}${sample.query ? `?${new URLSearchParams(sample.query)}` : ''}`;
      const res = await t.get(path, admin);
      const body: unknown = await res.json();
      if (res.status === 404 && sample.params?.id === 'none') continue; // an id that does not exist: 404 is the answer
      if (res.status !== 200) {
        wrong.push(`${endpointKey(e)} → ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
        continue;
      }
      const parsed = e.response!.safeParse(body);
      if (!parsed.success) wrong.push(`${endpointKey(e)}: ${parsed.error.message.slice(0, 300)}`);
      checked.push(endpointKey(e));
    }
    expect(wrong).toEqual([]);
    expect(checked.length).toBeGreaterThan(25);
  });
});
