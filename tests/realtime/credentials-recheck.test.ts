import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES, loginResponseSchema } from '../../src/contracts/index.js';
import { fixedClock } from '../../src/server/clock.js';
import { runCli } from '../support/cli.js';
import { ADMIN, startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('open connections re-check their credentials', () => {
  it('cuts off a connection whose session expired after it authenticated', async () => {
    const clock = fixedClock(new Date('2026-11-29T08:00:00.000Z'));
    t = await startTestServer({ clock, config: { realtime: { authRecheckIntervalMs: 50 }, auth: { sessionTtlHours: 1 } } });
    const login = await t.post('/api/v1/auth/login', { ...ADMIN, issueToken: true }, null);
    const { token } = loginResponseSchema.parse(await login.json());
    const c = await TestWsClient.authed(t.url, token!, ['workflow']);
    // Still valid: several re-checks pass without closing.
    await new Promise((r) => setTimeout(r, 200));
    expect(c.closed).toBeUndefined();
    clock.advance(61 * 60_000);
    const closed = await c.waitForClose(2000);
    expect(closed.code).toBe(CLOSE_CODES.unauthorized);
    expect(c.messages.some((m) => m.type === 'error' && m.code === 'credentials_expired')).toBe(true);
  });

  it('cuts off a connection whose API key was revoked', async () => {
    t = await startTestServer({ config: { realtime: { authRecheckIntervalMs: 50 } } });
    const key = await t.server.core.auth.createApiKey('temp', ['read'], { actorType: 'system', actorId: null });
    const c = await TestWsClient.authed(t.url, key.key, ['workflow']);
    const other = await TestWsClient.authed(t.url, t.keys.read, ['workflow']);
    await t.server.core.auth.revokeApiKey(key.id, { actorType: 'system', actorId: null });
    expect((await c.waitForClose(2000)).code).toBe(CLOSE_CODES.unauthorized);
    await new Promise((r) => setTimeout(r, 200));
    expect(other.closed).toBeUndefined();
    other.close();
  });

  it('a CLI in another process disabling an account closes its open sockets within seconds, not at the minute re-check', async () => {
    t = await startTestServer({ config: { realtime: { credentialsPollMs: 200 } } });
    await t.server.core.auth.createUser(
      { email: 'leaver@example.test', role: 'viewer', password: 'leaver password long' },
      { actorType: 'system', actorId: null },
    );
    const login = await t.post('/api/v1/auth/login', { email: 'leaver@example.test', password: 'leaver password long', issueToken: true }, null);
    const { token } = loginResponseSchema.parse(await login.json());
    const c = await TestWsClient.authed(t.url, token!, ['workflow']);
    const other = await TestWsClient.authed(t.url, t.keys.read, ['workflow']);
    const cli = runCli(['user', 'disable', '--email', 'leaver@example.test', '--data-dir', t.dataDir]);
    expect(cli.stderr).toBe('');
    expect((await c.waitForClose(5000)).code).toBe(CLOSE_CODES.unauthorized);
    expect(other.closed).toBeUndefined();
    other.close();
  });
});
