import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../src/contracts/index.js';
import { TestWsClient } from '../support/ws-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let t: TestServer;
const actor = { actorType: 'system' as const, actorId: null };
beforeAll(async () => {
  t = await startTestServer();
  await t.server.core.auth.createUser({ email: 'bo@example.test', role: 'operator', password: 'bo password long enough' }, actor);
});
afterAll(() => t.close());

const login = (password = 'bo password long enough') => t.post('/api/v1/auth/login', { email: 'bo@example.test', password, issueToken: true }, null);

describe('accounts and keys a manager switches off', () => {
  it('a disabled account loses its sessions at once and cannot sign in; enabled again, it can', async () => {
    const { token } = (await (await login()).json()) as { token: string };
    expect((await t.get('/api/v1/auth/me', token)).status).toBe(200);
    await t.server.core.auth.setDisabled('bo@example.test', true, actor);
    expect((await t.get('/api/v1/auth/me', token)).status).toBe(401);
    expect((await login()).status).toBe(401);
    await t.server.core.auth.setDisabled('bo@example.test', false, actor);
    expect((await login()).status).toBe(200);
  });

  it('a new password ends the old sessions', async () => {
    const { token } = (await (await login()).json()) as { token: string };
    await t.server.core.auth.setPassword('bo@example.test', 'another long password', actor);
    expect((await t.get('/api/v1/auth/me', token)).status).toBe(401);
    expect((await login()).status).toBe(401);
    expect((await login('another long password')).status).toBe(200);
  });

  it('an expired key is refused like a revoked one', async () => {
    const past = await t.server.core.auth.createApiKey('expired', ['read'], actor, { expiresAt: new Date(Date.now() - 1000).toISOString() });
    const future = await t.server.core.auth.createApiKey('current', ['read'], actor, { expiresAt: new Date(Date.now() + 3600_000).toISOString() });
    expect((await t.get('/api/v1/workflows', past.key)).status).toBe(401);
    expect((await t.get('/api/v1/workflows', future.key)).status).toBe(200);
  });
});

describe('a password someone else chose', () => {
  const sign = async (email: string, password: string) =>
    (await (await t.post('/api/v1/auth/login', { email, password, issueToken: true }, null)).json()) as {
      token: string;
      user: { passwordChangeRequired: boolean };
    };

  it('must be replaced at first sign-in before anything else is allowed, over HTTP and WebSocket', async () => {
    const created = await t.server.core.auth.createUser({ email: 'new@example.test', role: 'manager' }, actor);
    expect(created.generated).toBe(true);
    const first = await sign('new@example.test', created.password);
    expect(first.user.passwordChangeRequired).toBe(true);
    const other = await sign('new@example.test', created.password);

    expect((await t.get('/api/v1/auth/me', first.token)).status).toBe(200);
    const refused = await t.get('/api/v1/workflows', first.token);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('password_change_required');
    const ws = await TestWsClient.connect(t.url);
    ws.send({ type: 'auth', token: first.token });
    expect((await ws.waitForClose()).code).toBe(CLOSE_CODES.forbidden);

    const change = (body: unknown) => t.post('/api/v1/auth/me/password', body, first.token);
    const wrong = await change({ currentPassword: 'not it at all', newPassword: 'my own long password' });
    expect(wrong.status).toBe(403);
    expect(((await wrong.json()) as { error: { fields: { path: string }[] } }).error.fields[0]?.path).toBe('body.currentPassword');
    const short = await change({ currentPassword: created.password, newPassword: 'short' });
    expect(short.status).toBe(422);
    expect(((await short.json()) as { error: { fields: { path: string }[] } }).error.fields[0]?.path).toBe('body.newPassword');
    const same = await change({ currentPassword: created.password, newPassword: created.password });
    expect(same.status).toBe(422);

    const ok = await change({ currentPassword: created.password, newPassword: 'my own long password' });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { passwordChangeRequired: boolean }).passwordChangeRequired).toBe(false);
    expect((await t.get('/api/v1/workflows', first.token)).status).toBe(200);
    // The session that changed it stays; the other one, opened with the seen password, is over.
    expect((await t.get('/api/v1/auth/me', other.token)).status).toBe(401);
    expect((await sign('new@example.test', 'my own long password')).user.passwordChangeRequired).toBe(false);
    const audit = await t.server.core.db.read.selectFrom('audit_log').select(['action', 'outcome']).where('action', '=', 'user.change_password').execute();
    expect(audit).toEqual([
      { action: 'user.change_password', outcome: 'failure' },
      { action: 'user.change_password', outcome: 'success' },
    ]);
  });

  it("a password the manager typed is the person's own; an invite's is temporary", async () => {
    await t.server.core.auth.createUser({ email: 'typed@example.test', role: 'viewer', password: 'typed long password' }, actor);
    expect((await sign('typed@example.test', 'typed long password')).user.passwordChangeRequired).toBe(false);
    await t.server.core.auth.createUser({ email: 'invited@example.test', role: 'viewer', password: 'one time password', temporary: true }, actor);
    expect((await sign('invited@example.test', 'one time password')).user.passwordChangeRequired).toBe(true);
  });
});
