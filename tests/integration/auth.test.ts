import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginResponseSchema, meSchema } from '../../src/contracts/index.js';
import { openTestDb } from '../support/test-db.js';
import { ADMIN, startTestServer, type TestServer } from '../support/test-server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ config: { auth: { loginAttemptsPerMinute: 5 } } });
});
afterAll(async () => {
  await t.close();
});

async function audit(action: string): Promise<{ outcome: string; actor_id: string | null; details_json: string }[]> {
  const db = openTestDb(t.dataDir, { readonly: true });
  try {
    return await db.all('select outcome, actor_id, details_json from audit_log where action = ? order by id', action);
  } finally {
    await db.close();
  }
}

const login = (email: string, password: string, headers: Record<string, string> = {}, issueToken = true) =>
  t.post('/api/v1/auth/login', { email, password, issueToken }, null, headers);

describe('login, sessions and roles', () => {
  it('creates the bootstrap manager from the configured credentials', async () => {
    const res = await login(ADMIN.email, ADMIN.password);
    expect(res.status).toBe(200);
    const body = loginResponseSchema.parse(await res.json());
    expect(body.user).toMatchObject({ email: ADMIN.email, role: 'manager' });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/bmad_ops_session=bms_/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i);
  });

  it('accepts the bearer token and the cookie, and logout ends the session', async () => {
    const body = loginResponseSchema.parse(await (await login(ADMIN.email.toUpperCase(), ADMIN.password)).json());
    const me = meSchema.parse(await (await t.get('/api/v1/auth/me', body.token)).json());
    expect(me.email).toBe(ADMIN.email);
    const viaCookie = await fetch(`${t.url}/api/v1/workflows`, { headers: { cookie: `bmad_ops_session=${body.token}` } });
    expect(viaCookie.status).toBe(200);
    const out = await t.post('/api/v1/auth/logout', {}, body.token);
    expect(out.status).toBe(204);
    expect((await t.get('/api/v1/auth/me', body.token)).status).toBe(401);
    // The browser still holds the dead cookie: it is anonymous, and can log in again.
    const stale = { cookie: `bmad_ops_session=${body.token}` };
    expect((await fetch(`${t.url}/api/v1/workflows`, { headers: stale })).status).toBe(401);
    expect((await login(ADMIN.email, ADMIN.password, stale)).status).toBe(200);
  });

  it('gives a browser only the HttpOnly cookie: the bearer token is in the body only when asked for', async () => {
    const res = await login(ADMIN.email, ADMIN.password, {}, false);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty('token');
    expect(body).toMatchObject({ user: { email: ADMIN.email } });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/bmad_ops_session=bms_[^;]+;.*HttpOnly/i);
    const withToken = (await (await login(ADMIN.email, ADMIN.password)).json()) as { token?: string };
    expect(withToken.token).toMatch(/^bms_/);
  });

  it('refuses state changes a cookie carries from another site (CSRF): logout, login, preferences', async () => {
    const { token } = loginResponseSchema.parse(await (await login(ADMIN.email, ADMIN.password)).json());
    const cookie = { cookie: `bmad_ops_session=${token}`, 'content-type': 'application/json' };
    const send = (p: string, method: string, headers: Record<string, string>, body = '{}') =>
      fetch(`${t.url}${p}`, { method, headers: { ...cookie, ...headers }, body });
    const evil = { origin: 'https://evil.example' };
    expect((await send('/api/v1/auth/logout', 'POST', evil)).status).toBe(403);
    expect((await send('/api/v1/auth/logout', 'POST', { origin: 'null' })).status).toBe(403);
    expect((await send('/api/v1/auth/logout', 'POST', { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await send('/api/v1/auth/me/preferences', 'PUT', evil, '{"theme":"dark"}')).status).toBe(403);
    expect(
      (
        await fetch(`${t.url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...evil },
          body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }),
        })
      ).status,
    ).toBe(403);
    // The session survived all of that; our own pages (same Origin) still work.
    expect((await fetch(`${t.url}/api/v1/auth/me`, { headers: cookie })).status).toBe(200);
    expect((await send('/api/v1/auth/logout', 'POST', { origin: t.url, 'sec-fetch-site': 'same-origin' })).status).toBe(204);
    expect((await fetch(`${t.url}/api/v1/auth/me`, { headers: cookie })).status).toBe(401);
  });

  it('answers 401 for a wrong password or unknown email and audits both', async () => {
    expect((await login(ADMIN.email, 'wrong password!')).status).toBe(401);
    expect((await login('nobody@example.test', 'whatever123456')).status).toBe(401);
    const failures = (await audit('auth.login')).filter((r) => r.outcome === 'failure');
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expect((await audit('auth.login')).some((r) => r.outcome === 'success')).toBe(true);
  });

  it('stores preferences on the server profile', async () => {
    const { token } = loginResponseSchema.parse(await (await login(ADMIN.email, ADMIN.password)).json());
    const put = await fetch(`${t.url}/api/v1/auth/me/preferences`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ theme: 'dark' }),
    });
    expect(put.status).toBe(200);
    expect(meSchema.parse(await (await t.get('/api/v1/auth/me', token)).json()).preferences).toEqual({ theme: 'dark' });
    const bad = await fetch(`${t.url}/api/v1/auth/me/preferences`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ theme: 'neon' }),
    });
    expect(bad.status).toBe(422);
  });

  it('keeps API keys away from session-only endpoints and viewers away from /metrics', async () => {
    expect((await t.get('/api/v1/auth/me', t.keys.read)).status).toBe(403);
    await t.server.core.auth.createUser(
      { email: 'viewer@example.test', role: 'viewer', password: 'viewer password 1' },
      { actorType: 'system', actorId: null },
    );
    const { token } = loginResponseSchema.parse(await (await login('viewer@example.test', 'viewer password 1')).json());
    expect((await t.get('/api/v1/workflows', token)).status).toBe(200);
    expect((await t.get('/metrics', token)).status).toBe(403);
    expect((await t.post('/api/v1/events', { events: [] }, token)).status).toBe(403);
    expect((await audit('user.create')).length).toBeGreaterThanOrEqual(2);
  });

  it('rate-limits login attempts per client with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await login(ADMIN.email, 'not the password')).status);
    expect(statuses).toContain(429);
    const limited = await login(ADMIN.email, ADMIN.password);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('API keys', () => {
  it('a revoked key stops working at once', async () => {
    const created = await t.server.core.auth.createApiKey('temp', ['read'], { actorType: 'system', actorId: null });
    expect((await t.get('/api/v1/workflows', created.key)).status).toBe(200);
    await t.server.core.auth.revokeApiKey(created.id, { actorType: 'system', actorId: null });
    expect((await t.get('/api/v1/workflows', created.key)).status).toBe(401);
    expect((await audit('key.create')).length).toBeGreaterThan(0);
  });
});

describe('metrics', () => {
  it('serves Prometheus text to a metrics key, with request durations, lock waits and ingest counters', async () => {
    await t.ingest([
      {
        id: 'm-1',
        source: 'metrics-test',
        type: 'agent.upserted',
        occurredAt: '2026-11-29T08:00:00Z',
        entity: { type: 'agent', id: 'a' },
        payload: { name: 'A', type: 'dev' },
      },
    ]);
    await t.ingest([{ id: 'm-2', source: 'metrics-test', type: 'agent.upserted', occurredAt: 'yesterday', entity: { type: 'agent', id: 'a' }, payload: {} }]);
    expect((await t.get('/metrics', t.keys.read)).status).toBe(403);
    const res = await t.get('/metrics', t.keys.metrics);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/api_request_duration_ms_bucket\{.*route="\/api\/v1\/events".*status="200"/);
    expect(text).toMatch(/sqlite_write_lock_wait_ms_count \d+/);
    expect(text).toMatch(/ingest_events_total\{result="accepted"\} [1-9]/);
    expect(text).toMatch(/ingest_events_total\{result="rejected"\} [1-9]/);
  });
});
