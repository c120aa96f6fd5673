import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ConfigError, configSchema, loadConfig } from '../../src/server/config.js';
import { createLogger } from '../../src/server/observability/logger.js';
import { startServer } from '../../src/server/server.js';
import { ADMIN, startTestServer, tempDir, type TestServer } from '../support/test-server.js';

/** A self-signed certificate for 127.0.0.1, made here with openssl: no fixture key lives in the repository. */
function selfSigned(dir: string): { certFile: string; keyFile: string; cert: string } {
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile, cert: fs.readFileSync(certFile, 'utf8') };
}

const loginBody = JSON.stringify({ email: ADMIN.email, password: ADMIN.password });
const setCookie = (res: { headers: Headers }) => res.headers.getSetCookie().find((c) => c.includes('bmad_ops_session=')) ?? '';

describe('HTTPS and WSS served directly', () => {
  let t: TestServer;
  let agent: Agent;
  let cert: string;
  const get = (p: string, headers: Record<string, string> = {}) => undiciFetch(`${t.url}${p}`, { dispatcher: agent, headers });

  beforeAll(async () => {
    const tls = selfSigned(tempDir('bmad-ops-tls-'));
    cert = tls.cert;
    t = await startTestServer({ config: { tls: { certFile: tls.certFile, keyFile: tls.keyFile } } });
    agent = new Agent({ connect: { ca: cert } });
  });
  afterAll(async () => {
    await agent?.close();
    await t?.close();
  });

  it('answers over HTTPS with HSTS', async () => {
    expect(t.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const res = await get('/api/v1/health');
    expect(res.status).toBe(200);
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000');
  });

  it('sets the session as a __Host- cookie, Secure, and only that name signs a request in', async () => {
    const res = await undiciFetch(`${t.url}/api/v1/auth/login`, {
      dispatcher: agent,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: loginBody,
    });
    expect(res.status).toBe(200);
    const cookie = setCookie(res);
    expect(cookie).toMatch(/^__Host-bmad_ops_session=/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).not.toMatch(/Domain=/i);
    const token = cookie.split(';')[0]!.split('=')[1]!;
    expect((await get('/api/v1/auth/me', { cookie: `__Host-bmad_ops_session=${token}` })).status).toBe(200);
    // A cookie without the prefix could have been planted over plain HTTP or by a sibling host: not accepted here.
    expect((await get('/api/v1/auth/me', { cookie: `bmad_ops_session=${token}` })).status).toBe(401);

    const ws = new WebSocket(`${t.url.replace(/^https/, 'wss')}/ws`, { ca: cert, headers: { cookie: `__Host-bmad_ops_session=${token}`, origin: t.url } });
    const first = await new Promise<{ type: string }>((resolve, reject) => {
      ws.once('message', (data) => resolve(JSON.parse(String(data)) as { type: string }));
      ws.once('error', reject);
    });
    expect(first.type).toBe('welcome');
    ws.close();
  });
});

describe('behind a TLS proxy', () => {
  const login = (t: TestServer, headers: Record<string, string>) => t.post('/api/v1/auth/login', loginBody, null, headers);

  it('a trusted proxy saying https gets HSTS and the __Host- cookie; plain HTTP gets neither', async () => {
    const t = await startTestServer({ config: { trustProxy: 1 } });
    try {
      const viaProxy = await login(t, { 'x-forwarded-proto': 'https' });
      expect(viaProxy.headers.get('strict-transport-security')).toBe('max-age=31536000');
      expect(setCookie(viaProxy)).toMatch(/^__Host-bmad_ops_session=.*; Secure/);
      const plain = await login(t, {});
      expect(plain.headers.get('strict-transport-security')).toBeNull();
      expect(setCookie(plain)).toMatch(/^bmad_ops_session=/);
      expect(setCookie(plain)).not.toMatch(/Secure/);
    } finally {
      await t.close();
    }
  });

  it('an untrusted X-Forwarded-Proto changes nothing', async () => {
    const t = await startTestServer();
    try {
      const res = await login(t, { 'x-forwarded-proto': 'https' });
      expect(res.headers.get('strict-transport-security')).toBeNull();
      expect(setCookie(res)).toMatch(/^bmad_ops_session=/);
    } finally {
      await t.close();
    }
  });
});

describe('TLS configuration errors', () => {
  it('a certificate without its key, or the other way round, is refused naming the missing one', () => {
    expect(() => loadConfig({ BMAD_OPS_TLS_CERT: '/x/cert.pem' })).toThrow(/--tls-key \/ BMAD_OPS_TLS_KEY: HTTPS needs both/);
    expect(() => loadConfig({}, { tlsKey: '/x/key.pem' })).toThrow(/--tls-cert \/ BMAD_OPS_TLS_CERT/);
    expect(loadConfig({}, { tlsCert: 'c.pem', tlsKey: 'k.pem' }).tls).toEqual({ certFile: path.resolve('c.pem'), keyFile: path.resolve('k.pem') });
  });

  it('an unreadable file or a key that is not PEM stops the start with a message naming the file', async () => {
    const dir = tempDir('bmad-ops-tls-bad-');
    const { certFile } = selfSigned(dir);
    const notPem = path.join(dir, 'not-a-key.pem');
    fs.writeFileSync(notPem, 'hello');
    const start = (tls: { certFile: string; keyFile: string }) =>
      startServer(configSchema.parse({ port: 0, dataDir: path.join(dir, 'data'), logLevel: 'silent', tls, auth: { scryptCostLog2: 10 } }), {
        logger: createLogger('silent'),
      });
    await expect(start({ certFile, keyFile: path.join(dir, 'missing.pem') })).rejects.toThrow(ConfigError);
    await expect(start({ certFile, keyFile: path.join(dir, 'missing.pem') })).rejects.toThrow(/missing\.pem \(ENOENT\)/);
    await expect(start({ certFile, keyFile: notPem })).rejects.toThrow(/not-a-key\.pem are not a PEM certificate and its private key/);
  });
});
