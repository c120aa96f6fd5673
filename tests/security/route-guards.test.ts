import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_MESSAGE_TYPES, ENDPOINTS, endpointKey, type ClientMessage } from '../../src/contracts/index.js';
import { listRoutes } from '../support/route-table.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';

type Guard = 'public' | 'session' | 'read' | 'operate' | 'manage' | 'ingest' | 'metrics';

/**
 * Every route the server registers, with the guard it must have. A route missing here fails the build: whoever adds
 * one decides who may call it, and this test checks the answer against real requests.
 */
const GUARDS: Readonly<Record<string, Guard>> = {
  'GET /api/v1/health': 'public',
  'GET /api/v1/openapi.json': 'public',
  'POST /api/v1/auth/login': 'public',
  'GET /api/v1/auth/providers': 'public',
  'GET /api/v1/auth/oidc/login': 'public',
  'GET /api/v1/auth/oidc/callback': 'public',
  'POST /api/v1/auth/logout': 'session',
  'GET /api/v1/auth/me': 'session',
  'POST /api/v1/auth/me/password': 'session',
  'PUT /api/v1/auth/me/preferences': 'session',
  'POST /api/v1/events': 'ingest',
  'GET /api/v1/admin/backup': 'manage',
  'GET /api/v1/admin/users': 'manage',
  'POST /api/v1/admin/users': 'manage',
  'PATCH /api/v1/admin/users/:id': 'manage',
  'POST /api/v1/admin/users/:id/revoke-sessions': 'manage',
  'POST /api/v1/admin/users/:id/reset-password': 'manage',
  'GET /api/v1/admin/keys': 'manage',
  'POST /api/v1/admin/keys': 'manage',
  'DELETE /api/v1/admin/keys/:id': 'manage',
  'GET /api/v1/admin/audit': 'manage',
  'GET /api/v1/alerts/rules': 'manage',
  'POST /api/v1/alerts/rules': 'manage',
  'PUT /api/v1/alerts/rules/:id': 'manage',
  'DELETE /api/v1/alerts/rules/:id': 'manage',
  'GET /api/v1/alerts/channels': 'manage',
  'POST /api/v1/alerts/channels': 'manage',
  'PATCH /api/v1/alerts/channels/:id': 'manage',
  'DELETE /api/v1/alerts/channels/:id': 'manage',
  'POST /api/v1/alerts/channels/:id/test': 'manage',
  'GET /api/v1/alerts/channels/:id/deliveries': 'manage',
  // Everyone signed in (a person with their own password; a key has no read state of its own).
  'GET /api/v1/alerts/notifications': 'session',
  'GET /api/v1/alerts/notifications/unread-count': 'session',
  'POST /api/v1/alerts/notifications/read': 'session',
  'GET /api/v1/meta/status-model': 'read',
  'GET /api/v1/meta/workspace': 'read',
  'GET /api/v1/meta/kpis': 'read',
  'GET /api/v1/directory': 'read',
  'GET /api/v1/workflows': 'read',
  'GET /api/v1/workflows/:id': 'read',
  'GET /api/v1/workflows/:id/transitions': 'read',
  'GET /api/v1/projects': 'read',
  'GET /api/v1/projects/:id': 'read',
  'GET /api/v1/projects/:id/context': 'read',
  'GET /api/v1/projects/:id/integrity': 'read',
  'GET /api/v1/projects/:id/flow': 'read',
  'GET /api/v1/projects/:id/flow/sources': 'read',
  'GET /api/v1/stories': 'read',
  'GET /api/v1/stories/:id': 'read',
  'GET /api/v1/kanban/board': 'read',
  'PATCH /api/v1/stories/:id/status': 'operate',
  'GET /api/v1/sync/status': 'read',
  'GET /api/v1/costs/summary': 'read',
  'GET /api/v1/costs/timeseries': 'read',
  'GET /api/v1/analytics/agents/trends': 'read',
  'GET /api/v1/analytics/agents/outliers': 'read',
  'GET /api/v1/analytics/lineage/:lineageRef': 'read',
  'GET /api/v1/consistency/runs': 'read',
  'GET /api/v1/status': 'read',
  'POST /api/v1/consistency/verify': 'manage',
  'PUT /api/v1/projects/:id/budget': 'operate',
  'DELETE /api/v1/projects/:id/budget': 'operate',
  'GET /api/v1/documents': 'read',
  'GET /api/v1/documents/:id': 'read',
  'GET /api/v1/documents/:id/content': 'read',
  'POST /v1/metrics': 'ingest',
  'POST /v1/logs': 'ingest',
  'GET /metrics': 'metrics',
  // The web app's files and its client-side routes (index.html for any other path).
  'GET /.*/': 'public',
};

/** Client → server WebSocket messages: only `auth` is allowed before the socket is authenticated. */
const WS_GUARDS: Readonly<Record<(typeof CLIENT_MESSAGE_TYPES)[number], Guard>> = {
  auth: 'public',
  subscribe: 'read',
  heartbeat: 'read',
  resync_request: 'read',
  ack: 'read',
};

const concrete = (path: string) => (path === '/.*/' ? '/workflows' : path.replace(/:[A-Za-z]+/g, 'x-1'));

describe('the guard table: every route and WebSocket message, and who may call it', () => {
  let t: TestServer;
  const who: Record<'viewer' | 'operator', string> = { viewer: '', operator: '' };

  beforeAll(async () => {
    // An identity provider that is never reachable: its routes are mounted and must be in the table too.
    t = await startTestServer({
      config: { oidc: { issuer: 'http://127.0.0.1:9/', clientId: 'bmad-ops', redirectUrl: 'http://127.0.0.1:9/api/v1/auth/oidc/callback' } },
    });
    for (const role of ['viewer', 'operator'] as const) {
      const email = `${role}@guards.test`;
      await t.server.core.auth.createUser({ email, role, password: `${role} password long enough` }, { actorType: 'system', actorId: null });
      const res = await t.post('/api/v1/auth/login', { email, password: `${role} password long enough`, issueToken: true }, null);
      who[role] = ((await res.json()) as { token: string }).token;
    }
  });
  afterAll(() => t?.close());

  const call = async (method: string, path: string, token: string | null) => {
    const res = await fetch(`${t.url}${concrete(path)}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(method === 'GET' || method === 'DELETE' ? {} : { 'content-type': 'application/json' }),
      },
      ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }),
    });
    await res.arrayBuffer();
    return res.status;
  };

  it('lists every registered route, and nothing the server does not have', () => {
    const registered = listRoutes(t.server.app).map((r) => `${r.method} ${r.path}`);
    expect(
      registered.filter((r) => !(r in GUARDS)),
      'routes with no entry in the guard table',
    ).toEqual([]);
    expect(
      Object.keys(GUARDS).filter((r) => !registered.includes(r)),
      'guard table entries for routes that do not exist',
    ).toEqual([]);
  });

  it('agrees with the access rule each catalogue entry declares (the rule the route was mounted with)', () => {
    // `person` is a signed-in person: the same callers as `session`, minus a password still to be changed.
    const declared = Object.fromEntries(ENDPOINTS.map((e) => [endpointKey(e), e.access === 'person' ? 'session' : e.access]));
    const { 'GET /.*/': _app, ...table } = GUARDS;
    expect(declared).toEqual(table);
  });

  it('refuses anonymous callers everywhere but the public routes', async () => {
    const wrong: string[] = [];
    for (const [route, guard] of Object.entries(GUARDS)) {
      const [method, path] = route.split(' ') as [string, string];
      const status = await call(method, path, null);
      if ((guard === 'public') === (status === 401)) wrong.push(`${route} (${guard}) → ${status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('refuses viewers and read keys every write, and people without the role each guarded route', async () => {
    const expectations: [Guard, 'viewer' | 'operator' | 'read' | 'ingest', boolean][] = [
      ['operate', 'viewer', false],
      ['operate', 'read', false],
      ['manage', 'viewer', false],
      ['manage', 'operator', false],
      ['manage', 'read', false],
      ['ingest', 'viewer', false],
      ['ingest', 'read', false],
      ['metrics', 'viewer', false],
      ['metrics', 'read', false],
      ['session', 'read', false],
      ['read', 'ingest', false],
      ['read', 'viewer', true],
      ['read', 'read', true],
    ];
    const wrong: string[] = [];
    for (const [route, guard] of Object.entries(GUARDS)) {
      const [method, path] = route.split(' ') as [string, string];
      for (const [g, as, allowed] of expectations) {
        if (g !== guard) continue;
        const token = as === 'read' || as === 'ingest' ? t.keys[as] : who[as];
        const status = await call(method, path, token);
        const refused = status === 401 || status === 403;
        if (refused === allowed) wrong.push(`${route} as ${as} → ${status}`);
      }
      // Whatever the guard, a viewer or a read key never changes anything.
      if (method !== 'GET' && guard !== 'public' && guard !== 'session') {
        for (const as of ['viewer', 'read'] as const) {
          const status = await call(method, path, as === 'read' ? t.keys.read : who.viewer);
          if (status !== 401 && status !== 403) wrong.push(`write ${route} as ${as} → ${status}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('lists every client WebSocket message type, and each but auth is refused before authentication', async () => {
    expect(Object.keys(WS_GUARDS).sort()).toEqual([...CLIENT_MESSAGE_TYPES].sort());
    const samples: Record<(typeof CLIENT_MESSAGE_TYPES)[number], ClientMessage> = {
      auth: { type: 'auth', token: 'bmo_nonsense' },
      subscribe: { type: 'subscribe', topics: ['workflow'] },
      heartbeat: { type: 'heartbeat', ts: 1 },
      resync_request: { type: 'resync_request', lastAckEventId: 0, epoch: 'e' },
      ack: { type: 'ack', lastEventId: 1 },
    };
    for (const [type, guard] of Object.entries(WS_GUARDS)) {
      if (guard === 'public') continue;
      const c = await TestWsClient.connect(t.url);
      c.send(samples[type as keyof typeof samples]);
      const closed = await c.waitForClose();
      expect(closed.code, type).toBeGreaterThanOrEqual(4000);
      expect(
        c.messages.some((m) => m.type === 'snapshot' || m.type === 'event' || m.type === 'resync_complete'),
        type,
      ).toBe(false);
    }
  });
});
