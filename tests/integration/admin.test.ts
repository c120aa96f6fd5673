import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminAccountListSchema,
  adminAccountSchema,
  adminKeyListSchema,
  adminKeySchema,
  auditPageSchema,
  CLOSE_CODES,
  createdKeyResponseSchema,
  loginResponseSchema,
  oneTimePasswordResponseSchema,
  sessionsEndedResponseSchema,
  type AdminAccount,
  type AuditEntryView,
} from '../../src/contracts/index.js';
import { AccountsService } from '../../src/server/modules/admin/accounts.service.js';
import { projectUpserted } from '../support/events.js';
import { ADMIN, startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';

let t: TestServer;
let manager: string;
let managerId: string;
let operator: string;
let viewer: string;
const system = { actorType: 'system' as const, actorId: null };
const OPERATOR = { email: 'olga@example.test', password: 'operator password 1' };
const VIEWER = { email: 'victor@example.test', password: 'viewer password 1' };

async function signIn(email: string, password: string): Promise<{ token: string; userId: string; mustChange: boolean }> {
  const res = await t.post('/api/v1/auth/login', { email, password, issueToken: true }, null);
  if (res.status !== 200) throw new Error(`login as ${email}: ${res.status}`);
  const body = loginResponseSchema.parse(await res.json());
  return { token: body.token!, userId: body.user.id, mustChange: body.user.passwordChangeRequired };
}

/** Any method, with a bearer token (null: anonymous). */
async function call(method: string, path: string, token: string | null, body?: unknown): Promise<Response> {
  return fetch(`${t.url}/api/v1${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; message: string; fields?: { path: string; message: string }[] } }).error;

async function accounts(): Promise<AdminAccount[]> {
  return adminAccountListSchema.parse(await (await call('GET', '/admin/users', manager)).json()).items;
}
const accountOf = async (email: string) => (await accounts()).find((a) => a.email === email)!;

/** The newest audit entries, through the API itself. */
async function auditEntries(query = ''): Promise<AuditEntryView[]> {
  const res = await call('GET', `/admin/audit${query}`, manager);
  expect(res.status).toBe(200);
  return auditPageSchema.parse(await res.json()).items;
}

beforeAll(async () => {
  t = await startTestServer();
  await t.server.core.auth.createUser({ ...OPERATOR, role: 'operator', displayName: 'Olga Operator' }, system);
  await t.server.core.auth.createUser({ ...VIEWER, role: 'viewer', displayName: 'Victor Viewer' }, system);
  const m = await signIn(ADMIN.email, ADMIN.password);
  manager = m.token;
  managerId = m.userId;
  operator = (await signIn(OPERATOR.email, OPERATOR.password)).token;
  viewer = (await signIn(VIEWER.email, VIEWER.password)).token;
  const res = await t.ingest([projectUpserted('p-shop', { name: 'Shop' })]);
  expect(res.status).toBe(200);
});
afterAll(() => t.close());

describe('who may manage', () => {
  const routes: [string, string, unknown?][] = [
    ['GET', '/admin/users'],
    ['POST', '/admin/users', { email: 'x@example.test', role: 'viewer' }],
    ['PATCH', '/admin/users/some-id', { role: 'viewer' }],
    ['POST', '/admin/users/some-id/revoke-sessions', {}],
    ['POST', '/admin/users/some-id/reset-password', {}],
    ['GET', '/admin/keys'],
    ['POST', '/admin/keys', { name: 'x', scopes: ['read'] }],
    ['DELETE', '/admin/keys/0123456789ab'],
    ['GET', '/admin/audit'],
  ];

  it('anonymous callers get 401; operators, viewers and API keys (any scope) get 403', async () => {
    for (const [method, path, body] of routes) {
      expect((await call(method, path, null, body)).status, `${method} ${path} anonymous`).toBe(401);
      for (const [who, token] of [
        ['operator', operator],
        ['viewer', viewer],
        ['key with every scope', t.keys.all],
      ] as const) {
        const res = await call(method, path, token, body);
        expect(res.status, `${method} ${path} as ${who}`).toBe(403);
      }
    }
  });

  it('a manager reads people, keys and the audit log; answers are never cached', async () => {
    const res = await call('GET', '/admin/users', manager);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const list = adminAccountListSchema.parse(await res.json()).items;
    expect(list.map((a) => a.email)).toEqual([ADMIN.email, OPERATOR.email, VIEWER.email]);
    const me = list.find((a) => a.email === ADMIN.email)!;
    expect(me).toMatchObject({ role: 'manager', disabled: false, passwordChangeRequired: false });
    expect(me.activeSessions).toBeGreaterThanOrEqual(1);
    expect(me.lastSignInAt).not.toBeNull();
    expect((await call('GET', '/admin/keys', manager)).status).toBe(200);
    expect((await call('GET', '/admin/audit', manager)).status).toBe(200);
  });
});

describe('people', () => {
  it('invites a person with a one-time password that must be replaced at first sign-in; audited with the manager and IP', async () => {
    const res = await call('POST', '/admin/users', manager, { email: ' Nina@Example.test ', role: 'operator', displayName: 'Nina New' });
    expect(res.status).toBe(201);
    const body = oneTimePasswordResponseSchema.parse(await res.json());
    expect(body.account).toMatchObject({
      email: 'nina@example.test',
      displayName: 'Nina New',
      role: 'operator',
      passwordChangeRequired: true,
      activeSessions: 0,
      lastSignInAt: null,
    });
    expect(body.oneTimePassword.length).toBeGreaterThanOrEqual(12);
    const nina = await signIn('nina@example.test', body.oneTimePassword);
    expect(nina.mustChange).toBe(true);
    expect((await call('GET', '/workflows', nina.token)).status).toBe(403);

    const [entry] = await auditEntries(`?action=user.create&targetId=${body.account.id}`);
    expect(entry).toMatchObject({
      action: 'user.create',
      outcome: 'success',
      actor: { type: 'user', id: managerId, name: 'Administrator' },
      targetName: 'Nina New',
    });
    expect(entry!.ip).toMatch(/127\.0\.0\.1/);
    expect((await accountOf('nina@example.test')).lastSignInAt).not.toBeNull();
  });

  it('refuses a second account with the same email (409, on the field) and bad input (422 with field errors)', async () => {
    const dup = await call('POST', '/admin/users', manager, { email: 'NINA@example.test', role: 'viewer' });
    expect(dup.status).toBe(409);
    expect((await errorOf(dup)).fields).toEqual([{ path: 'body.email', message: 'already has an account' }]);
    const bad = await call('POST', '/admin/users', manager, { email: 'not an email', role: 'boss', extra: 1 });
    expect(bad.status).toBe(422);
    const paths = (await errorOf(bad)).fields!.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['body.email', 'body.role']));
    expect((await call('PATCH', `/admin/users/${managerId}`, manager, {})).status).toBe(422);
    expect((await call('PATCH', `/admin/users/${managerId}`, manager, { role: 'owner' })).status).toBe(422);
  });

  it('answers 404 for an unknown account', async () => {
    for (const [method, path, body] of [
      ['PATCH', '/admin/users/nobody', { role: 'viewer' }],
      ['POST', '/admin/users/nobody/revoke-sessions', {}],
      ['POST', '/admin/users/nobody/reset-password', {}],
    ] as const) {
      const res = await call(method, path, manager, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect((await errorOf(res)).code).toBe('not_found');
    }
  });

  it('changes a role, audited with from and to', async () => {
    const olga = await accountOf(OPERATOR.email);
    const res = await call('PATCH', `/admin/users/${olga.id}`, manager, { role: 'viewer' });
    expect(res.status).toBe(200);
    expect(adminAccountSchema.parse(await res.json()).role).toBe('viewer');
    const [entry] = await auditEntries(`?action=user.set_role&targetId=${olga.id}`);
    expect(entry).toMatchObject({
      outcome: 'success',
      details: { from: 'operator', to: 'viewer' },
      actor: { name: 'Administrator' },
      targetName: 'Olga Operator',
    });
    expect((await call('PATCH', `/admin/users/${olga.id}`, manager, { role: 'operator' })).status).toBe(200);
  });

  it('refuses demoting or disabling yourself (409, audited as a failure)', async () => {
    const demote = await call('PATCH', `/admin/users/${managerId}`, manager, { role: 'operator' });
    expect(demote.status).toBe(409);
    expect((await errorOf(demote)).code).toBe('self_lockout');
    const disable = await call('PATCH', `/admin/users/${managerId}`, manager, { disabled: true });
    expect(disable.status).toBe(409);
    expect((await errorOf(disable)).message).toMatch(/disable yourself/);
    expect((await accountOf(ADMIN.email)).role).toBe('manager');
    const [entry] = await auditEntries(`?targetId=${managerId}&outcome=failure&action=user.*`);
    expect(entry).toMatchObject({ action: 'user.disable', outcome: 'failure', details: { reason: 'self_lockout' } });
    const reset = await call('POST', `/admin/users/${managerId}/reset-password`, manager, {});
    expect(reset.status).toBe(409);
    expect((await errorOf(reset)).code).toBe('own_account');
  });

  it('two managers demoting each other at once: one change wins, the other is refused, one of them stays manager', async () => {
    const newManager = async (email: string, displayName: string) => {
      const invited = oneTimePasswordResponseSchema.parse(await (await call('POST', '/admin/users', manager, { email, role: 'manager', displayName })).json());
      const s = await signIn(email, invited.oneTimePassword);
      expect(
        (await t.post('/api/v1/auth/me/password', { currentPassword: invited.oneTimePassword, newPassword: `${email} own password` }, s.token)).status,
      ).toBe(200);
      return s;
    };
    const max = await newManager('max@example.test', 'Max Manager');
    const mia = await newManager('mia@example.test', 'Mia Manager');
    const answers = await Promise.all([
      call('PATCH', `/admin/users/${mia.userId}`, max.token, { role: 'viewer' }),
      call('PATCH', `/admin/users/${max.userId}`, mia.token, { role: 'viewer' }),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 403]);
    // Refused by the role check on arrival or, when both arrived as managers, by the re-check inside the change.
    expect((await errorOf(answers.find((r) => r.status === 403)!)).message).toMatch(/no longer a manager|requires the manager role/);
    const roles = (await accounts()).filter((x) => x.email === 'max@example.test' || x.email === 'mia@example.test').map((x) => x.role);
    expect(roles.sort()).toEqual(['manager', 'viewer']);
  });

  it('inside the change, the acting manager is checked again: of two crossing demotions, the second is refused', async () => {
    const service = new AccountsService(t.server.core.db, t.server.core.auth);
    const ids = await Promise.all(
      ['ann', 'ben'].map(
        async (n) => (await t.server.core.auth.createUser({ email: `${n}@example.test`, role: 'manager', password: `${n} password long` }, system)).id,
      ),
    );
    const [ann, ben] = ids as [string, string];
    const results = await Promise.allSettled([
      service.update(ben, { role: 'viewer' }, { userId: ann, ip: null }),
      service.update(ann, { disabled: true }, { userId: ben, ip: null }),
    ]);
    expect(results[0].status).toBe('fulfilled');
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { status: 403, message: 'you are no longer a manager' } });
    expect((await accountOf('ann@example.test')).disabled).toBe(false);
  });

  it('disabling ends the sessions and closes the open WebSocket at once; enabling lets the person back in', async () => {
    const victor = await accountOf(VIEWER.email);
    const session = await signIn(VIEWER.email, VIEWER.password);
    const ws = await TestWsClient.authed(t.url, session.token, ['workflow']);
    const keyWs = await TestWsClient.authed(t.url, t.keys.read, ['workflow']);
    const started = performance.now();
    const res = await call('PATCH', `/admin/users/${victor.id}`, manager, { disabled: true });
    expect(res.status).toBe(200);
    expect(adminAccountSchema.parse(await res.json())).toMatchObject({ disabled: true, activeSessions: 0 });
    // The periodic credential check runs every minute: only the notification can close it this fast.
    expect((await ws.waitForClose(1000)).code).toBe(CLOSE_CODES.unauthorized);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(keyWs.closed).toBeUndefined();
    expect((await call('GET', '/auth/me', session.token)).status).toBe(401);
    expect((await t.post('/api/v1/auth/login', { ...VIEWER }, null)).status).toBe(401);
    const [entry] = await auditEntries(`?action=user.disable&targetId=${victor.id}`);
    expect(entry).toMatchObject({ outcome: 'success', actor: { type: 'user', id: managerId } });
    expect(entry!.details.sessionsEnded).toBeGreaterThanOrEqual(1);

    expect((await call('PATCH', `/admin/users/${victor.id}`, manager, { disabled: false })).status).toBe(200);
    expect((await auditEntries(`?action=user.enable&targetId=${victor.id}`)).length).toBe(1);
    viewer = (await signIn(VIEWER.email, VIEWER.password)).token;
    keyWs.close();
  });

  it('revoking sessions signs the person out everywhere at once (sockets included); they can sign in again', async () => {
    const olga = await accountOf(OPERATOR.email);
    const s1 = await signIn(OPERATOR.email, OPERATOR.password);
    const ws = await TestWsClient.authed(t.url, s1.token, ['project']);
    const res = await call('POST', `/admin/users/${olga.id}/revoke-sessions`, manager, {});
    expect(res.status).toBe(200);
    const body = sessionsEndedResponseSchema.parse(await res.json());
    expect(body.sessionsEnded).toBeGreaterThanOrEqual(2);
    expect(body.account.activeSessions).toBe(0);
    expect((await ws.waitForClose(1000)).code).toBe(CLOSE_CODES.unauthorized);
    expect((await call('GET', '/auth/me', operator)).status).toBe(401);
    const [entry] = await auditEntries(`?action=user.revoke_sessions&targetId=${olga.id}`);
    expect(entry).toMatchObject({ outcome: 'success', details: { sessionsEnded: body.sessionsEnded } });
    operator = (await signIn(OPERATOR.email, OPERATOR.password)).token;
  });

  it('resetting a password gives a new one-time password, ends the sessions and refuses the old password', async () => {
    const olga = await accountOf(OPERATOR.email);
    const ws = await TestWsClient.authed(t.url, operator, ['project']);
    const res = await call('POST', `/admin/users/${olga.id}/reset-password`, manager, {});
    expect(res.status).toBe(200);
    const body = oneTimePasswordResponseSchema.parse(await res.json());
    expect(body.account).toMatchObject({ passwordChangeRequired: true, activeSessions: 0 });
    expect((await ws.waitForClose(1000)).code).toBe(CLOSE_CODES.unauthorized);
    expect((await t.post('/api/v1/auth/login', OPERATOR, null)).status).toBe(401);
    const again = await signIn(OPERATOR.email, body.oneTimePassword);
    expect(again.mustChange).toBe(true);
    const [entry] = await auditEntries(`?action=user.reset_password&targetId=${olga.id}`);
    expect(entry).toMatchObject({ outcome: 'success', actor: { id: managerId }, targetName: 'Olga Operator' });
    expect(JSON.stringify(entry)).not.toContain(body.oneTimePassword);
    await t.post('/api/v1/auth/me/password', { currentPassword: body.oneTimePassword, newPassword: OPERATOR.password + 'x' }, again.token);
    operator = again.token;
  });
});

describe('API keys', () => {
  it('a key made here ingests under the source named after it, and is refused once revoked', async () => {
    const res = await call('POST', '/admin/keys', manager, { name: "Ana's laptop", scopes: ['ingest'] });
    expect(res.status).toBe(201);
    const created = createdKeyResponseSchema.parse(await res.json());
    expect(created.key).toMatch(/^bmo_[0-9a-f]{12}_/);
    expect(created.apiKey).toMatchObject({
      name: "Ana's laptop",
      scopes: ['ingest'],
      sources: ['ana-s-laptop'],
      projectId: null,
      expiresAt: null,
      revokedAt: null,
      state: 'active',
      createdBy: { type: 'user', id: managerId, name: 'Administrator' },
    });

    const send = (source: string) => t.post('/api/v1/events', { events: [{ ...projectUpserted('p-laptop'), source }] }, created.key);
    expect((await send('ana-s-laptop')).status).toBe(200);
    const other = await send('someone-else');
    expect(other.status).toBe(207);
    expect(JSON.stringify(await other.json())).toContain('source_not_allowed');

    const listed = adminKeyListSchema.parse(await (await call('GET', '/admin/keys', manager)).json()).items;
    expect(listed.find((k) => k.id === created.apiKey.id)).toEqual(created.apiKey);
    expect(JSON.stringify(listed)).not.toContain(created.key);

    const revoked = await call('DELETE', `/admin/keys/${created.apiKey.id}`, manager);
    expect(revoked.status).toBe(200);
    expect(adminKeySchema.parse(await revoked.json())).toMatchObject({ state: 'revoked' });
    expect((await send('ana-s-laptop')).status).toBe(401);
    expect((await call('DELETE', `/admin/keys/${created.apiKey.id}`, manager)).status).toBe(409);
    expect((await call('DELETE', '/admin/keys/0123456789ab', manager)).status).toBe(404);

    const entries = await auditEntries(`?targetId=${created.apiKey.id}`);
    expect(entries.map((e) => [e.action, e.outcome, e.actor.name, e.targetName])).toEqual([
      ['key.revoke', 'success', 'Administrator', "Ana's laptop"],
      ['key.create', 'success', 'Administrator', "Ana's laptop"],
    ]);
    expect(entries[1]!.details).toMatchObject({ scopes: ['ingest'], sources: ['ana-s-laptop'] });
  });

  it('binds a key to a project (named), to chosen or any sources, with an expiry in days', async () => {
    const res = await call('POST', '/admin/keys', manager, {
      name: 'shop connector',
      scopes: ['ingest', 'read', 'ingest'],
      sources: ['bmad-connector'],
      projectId: 'p-shop',
      expiresInDays: 30,
    });
    expect(res.status).toBe(201);
    const { apiKey, key } = createdKeyResponseSchema.parse(await res.json());
    expect(apiKey).toMatchObject({ scopes: ['ingest', 'read'], sources: ['bmad-connector'], projectId: 'p-shop', projectName: 'Shop' });
    expect(Math.abs(Date.parse(apiKey.expiresAt!) - (Date.now() + 30 * 86_400_000))).toBeLessThan(60_000);
    const wrongProject = await t.post('/api/v1/events', { events: [{ ...projectUpserted('p-other'), source: 'bmad-connector' }] }, key);
    expect(JSON.stringify(await wrongProject.json())).toContain('project_not_allowed');

    const any = createdKeyResponseSchema.parse(
      await (await call('POST', '/admin/keys', manager, { name: 'trusted', scopes: ['ingest'], sources: 'any', expiresAt: '2099-01-01T00:00:00Z' })).json(),
    );
    expect(any.apiKey).toMatchObject({ sources: 'any', expiresAt: '2099-01-01T00:00:00.000Z' });
  });

  it("refuses the server's own sources, unknown projects, a project on a key that cannot ingest and a past expiry, on their fields", async () => {
    const fields = async (body: unknown) => {
      const res = await call('POST', '/admin/keys', manager, body);
      expect(res.status).toBe(422);
      return (await errorOf(res)).fields!.map((f) => f.path);
    };
    expect(await fields({ name: 'x', scopes: ['ingest'], sources: ['ok', 'bmad-ops-ui'] })).toEqual(['body.sources[1]']);
    expect(await fields({ name: 'x', scopes: ['ingest'], projectId: 'p-nowhere' })).toEqual(['body.projectId']);
    expect(await fields({ name: 'x', scopes: ['read'], projectId: 'p-shop' })).toEqual(['body.projectId']);
    expect(await fields({ name: 'x', scopes: ['read'], expiresAt: '2020-01-01T00:00:00Z' })).toEqual(['body.expiresAt']);
    expect(await fields({ name: 'x', scopes: ['read'], expiresAt: '2099-01-01T00:00:00Z', expiresInDays: 3 })).toEqual(['body.expiresInDays']);
    expect(await fields({ name: ' ', scopes: [] })).toEqual(['body.name', 'body.scopes']);
    expect(await fields({ name: 'x', scopes: ['admin'] })).toEqual(['body.scopes[0]']);
  });

  it('revoking a key closes the sockets it opened at once', async () => {
    const created = createdKeyResponseSchema.parse(await (await call('POST', '/admin/keys', manager, { name: 'watcher', scopes: ['read'] })).json());
    const ws = await TestWsClient.authed(t.url, created.key, ['workflow']);
    expect((await call('DELETE', `/admin/keys/${created.apiKey.id}`, manager)).status).toBe(200);
    expect((await ws.waitForClose(1000)).code).toBe(CLOSE_CODES.unauthorized);
  });
});

describe('audit log', () => {
  it('pages newest first by cursor, without gaps or repeats, and filters by action, actor, outcome and time', async () => {
    const all = await auditEntries('?pageSize=200');
    expect(all.length).toBeGreaterThan(10);
    expect(all.map((e) => e.id)).toEqual([...all.map((e) => e.id)].sort((a, b) => b - a));

    const seen: number[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const res = await call('GET', `/admin/audit?pageSize=7${cursor ? `&cursor=${cursor}` : ''}`, manager);
      const page = auditPageSchema.parse(await res.json());
      expect(page.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(all.map((e) => e.id));

    const logins = await auditEntries(`?action=auth.login&actorId=${managerId}&outcome=success`);
    expect(logins.length).toBeGreaterThan(0);
    expect(logins.every((e) => e.action === 'auth.login' && e.actor.id === managerId && e.outcome === 'success')).toBe(true);
    expect((await auditEntries('?action=key.*')).every((e) => e.action.startsWith('key.'))).toBe(true);
    const failed = await auditEntries('?outcome=failure');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((e) => e.outcome === 'failure')).toBe(true);

    const newest = all[0]!.occurredAt;
    expect((await auditEntries(`?from=${encodeURIComponent(new Date(Date.parse(newest) + 1000).toISOString())}`)).length).toBe(0);
    expect((await auditEntries(`?to=${encodeURIComponent(new Date(Date.parse(all[all.length - 1]!.occurredAt) - 1000).toISOString())}`)).length).toBe(0);
    expect((await auditEntries(`?from=${encodeURIComponent(all[all.length - 1]!.occurredAt)}&to=${encodeURIComponent(newest)}&pageSize=200`)).length).toBe(
      all.length,
    );
  });

  it('names actors and targets: people, keys, the system', async () => {
    const entries = await auditEntries('?pageSize=200');
    const testKey = entries.find((e) => e.action === 'key.create' && e.targetName === 'test read')!;
    expect(testKey.actor).toEqual({ type: 'system', id: null, name: null });
    const failedLogin = (await t.post('/api/v1/auth/login', { email: VIEWER.email, password: 'wrong password!' }, null)).status;
    expect(failedLogin).toBe(401);
    const [attempt] = await auditEntries('?action=auth.login&outcome=failure');
    expect(attempt).toMatchObject({ actor: { type: 'anonymous', name: 'Victor Viewer' }, targetName: 'Victor Viewer' });
  });

  it('rejects bad filters with field errors', async () => {
    for (const [q, path] of [
      ['?pageSize=201', 'pageSize'],
      ['?pageSize=0', 'pageSize'],
      ['?cursor=abc', 'cursor'],
      ['?outcome=maybe', 'outcome'],
      ['?action=DROP%20TABLE', 'action'],
      ['?from=yesterday', 'from'],
      ['?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'to'],
      ['?colour=red', '(root)'],
    ] as const) {
      const res = await call('GET', `/admin/audit${q}`, manager);
      expect(res.status, q).toBe(422);
      expect(
        (await errorOf(res)).fields!.map((f) => f.path),
        q,
      ).toContain(path);
    }
  });
});
