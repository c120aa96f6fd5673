import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/server/config.js';
import { openTestDb } from '../support/test-db.js';
import { ADMIN, startTestServer, type TestServer } from '../support/test-server.js';

describe('BMAD_OPS_TRUST_PROXY', () => {
  it('takes a hop count or proxy addresses, and refuses "trust every hop"', () => {
    expect(loadConfig({ BMAD_OPS_TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ BMAD_OPS_TRUST_PROXY: '10.0.0.5, 10.0.1.0/24,loopback' }).trustProxy).toEqual(['10.0.0.5', '10.0.1.0/24', 'loopback']);
    expect(loadConfig({ BMAD_OPS_TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(() => loadConfig({ BMAD_OPS_TRUST_PROXY: 'true' })).toThrow(ConfigError);
    expect(() => loadConfig({ BMAD_OPS_TRUST_PROXY: 'true' })).toThrow(/BMAD_OPS_TRUST_PROXY: "true" would trust every/);
    expect(() => loadConfig({ BMAD_OPS_TRUST_PROXY: 'proxy.example.com' })).toThrow(/BMAD_OPS_TRUST_PROXY|trustProxy/);
    expect(() => loadConfig({ BMAD_OPS_TRUST_PROXY: '10.0.0.0/99' })).toThrow(ConfigError);
  });
});

describe('behind one trusted proxy', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ config: { trustProxy: 1, auth: { loginAttemptsPerMinute: 3 } } });
  });
  afterAll(() => t.close());

  const failedLogin = (forwardedFor: string) =>
    t.post('/api/v1/auth/login', { email: ADMIN.email, password: 'wrong password, again' }, null, { 'x-forwarded-for': forwardedFor });

  it('a client cannot choose its IP with X-Forwarded-For: the login limit and the audit log see the proxy-reported address', async () => {
    // The client forges a different first hop each time; the proxy appends the address it really saw.
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await failedLogin(`6.6.6.${i}, 203.0.113.7`)).status);
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.slice(3)).toEqual([429, 429]);
    const db = openTestDb(t.dataDir, { readonly: true });
    const ips = (await db.all<{ ip: string }>("select distinct ip from audit_log where action = 'auth.login'")).map((r) => r.ip);
    await db.close();
    expect(ips).toEqual(['203.0.113.7']);
  });
});
