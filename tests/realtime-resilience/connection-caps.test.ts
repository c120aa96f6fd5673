import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLOSE_CODES } from '../../src/contracts/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';

let t: TestServer | undefined;
const open: { close(): void }[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) c.close();
  await t?.close();
  t = undefined;
});

/** Opens /ws without authenticating; resolves with the socket, or the HTTP status the upgrade was refused with. */
function raw(url: string): Promise<{ ws: WebSocket } | { status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`);
    ws.once('open', () => {
      open.push(ws);
      resolve({ ws });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', (err) => reject(err));
  });
}

describe('WebSocket connection caps', () => {
  it('sockets waiting to authenticate are capped: the next one is refused with 503 and Retry-After', async () => {
    t = await startTestServer({ config: { realtime: { maxUnauthenticated: 2 } } });
    expect('ws' in (await raw(t.url))).toBe(true);
    expect('ws' in (await raw(t.url))).toBe(true);
    const third = await raw(t.url);
    expect(third).toMatchObject({ status: 503, body: expect.stringContaining('waiting to authenticate') });
    // An authenticated client still gets in once a waiting socket is gone.
    open.splice(0).forEach((c) => c.close());
    await new Promise((r) => setTimeout(r, 100));
    const ok = await TestWsClient.authed(t.url, t.keys.read, ['workflow']);
    open.push(ok);
  });

  it('one address may hold only so many sockets', async () => {
    t = await startTestServer({ config: { realtime: { maxConnectionsPerAddress: 2 } } });
    await raw(t.url);
    await raw(t.url);
    expect(await raw(t.url)).toMatchObject({ status: 503, body: expect.stringContaining('from this address') });
  });

  it('one key may hold only so many sessions: the next is closed with 4429, the others keep working', async () => {
    t = await startTestServer({ config: { realtime: { maxConnectionsPerPrincipal: 2 } } });
    const a = await TestWsClient.authed(t.url, t.keys.read, ['workflow']);
    const b = await TestWsClient.authed(t.url, t.keys.read, ['workflow']);
    open.push(a, b);
    const c = await TestWsClient.connect(t.url);
    open.push(c);
    c.send({ type: 'auth', token: t.keys.read });
    expect((await c.waitForClose()).code).toBe(CLOSE_CODES.tooManyConnections);
    // Another key is not affected.
    open.push(await TestWsClient.authed(t.url, t.keys.all, ['workflow']));
  });
});
