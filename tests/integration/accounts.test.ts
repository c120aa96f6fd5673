import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
