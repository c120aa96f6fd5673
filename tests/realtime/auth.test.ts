import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES, loginResponseSchema, type ServerMessage } from '../../src/contracts/index.js';
import { fixedClock } from '../../src/server/clock.js';
import { ADMIN, startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';
import { mark, roundTrip } from './support.js';

/**
 * Who may open a /ws session: a token in the first message within the deadline, or a browser's session cookie on a
 * same-origin upgrade. Everything else ends in an error message and a close code the client can act on.
 */

const authTimeoutMs = 300;
const sessionTtlHours = 2;
const clock = fixedClock(new Date());
let t: TestServer;
const open: TestWsClient[] = [];

beforeAll(async () => {
  t = await startTestServer({ clock, config: { realtime: { authTimeoutMs }, auth: { sessionTtlHours } } });
});
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});
afterAll(async () => {
  await t.close();
});

async function connect(headers?: Record<string, string>): Promise<TestWsClient> {
  const c = await TestWsClient.connect(t.url, headers ? { headers } : {});
  open.push(c);
  return c;
}

async function login(): Promise<string> {
  const res = await t.post('/api/v1/auth/login', { email: ADMIN.email, password: ADMIN.password, issueToken: true }, null);
  expect(res.status).toBe(200);
  return loginResponseSchema.parse(await res.json()).token!;
}

const errors = (c: TestWsClient) => c.messages.filter((m): m is Extract<ServerMessage, { type: 'error' }> => m.type === 'error');

/** The connection is refused: one unrecoverable error with `errorCode`, then the close code, and never a welcome. */
async function expectRefused(c: TestWsClient, closeCode: number, errorCode: string): Promise<void> {
  const closed = await c.waitForClose();
  expect(closed.code).toBe(closeCode);
  expect(errors(c)).toEqual([expect.objectContaining({ code: errorCode, recoverable: false })]);
  expect(c.messages.some((m) => m.type === 'welcome')).toBe(false);
}

async function expectWelcomed(c: TestWsClient): Promise<void> {
  await c.waitFor((m) => m.type === 'welcome');
  // A welcomed session is usable: it can subscribe and gets its snapshot.
  const from = mark(c);
  c.send({ type: 'subscribe', topics: ['workflow'] });
  await c.waitFor((m) => m.type === 'resync_complete', 5000, from);
  expect(c.closed).toBeUndefined();
  expect(errors(c)).toEqual([]);
}

describe('token authentication', () => {
  it('welcomes a read key', async () => {
    const c = await connect();
    c.send({ type: 'auth', token: t.keys.read });
    await expectWelcomed(c);
  });

  it('closes a socket that sends nothing with 4401 once authTimeoutMs has passed', async () => {
    const c = await connect();
    const started = performance.now();
    await expectRefused(c, CLOSE_CODES.unauthorized, 'auth_timeout');
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(authTimeoutMs - 20);
    expect(elapsed).toBeLessThan(authTimeoutMs + 1000);
  });

  it.each([
    { name: 'garbage', token: () => 'nope' },
    { name: 'an unknown session token', token: () => `bms_${'A'.repeat(43)}` },
    { name: 'an API key with a wrong secret', token: () => t.keys.read.slice(0, -1) + (t.keys.read.endsWith('A') ? 'B' : 'A') },
    { name: 'an API key of unknown id', token: () => `bmo_000000000000_${'a'.repeat(32)}` },
  ])('closes with 4401 for $name', async ({ token }) => {
    const c = await connect();
    c.send({ type: 'auth', token: token() });
    await expectRefused(c, CLOSE_CODES.unauthorized, 'invalid_token');
  });

  it('closes with 4401 for a revoked key', async () => {
    const actor = { actorType: 'system' as const, actorId: null };
    const key = await t.server.core.auth.createApiKey('soon revoked', ['read'], actor);
    const ok = await connect();
    ok.send({ type: 'auth', token: key.key });
    await expectWelcomed(ok);
    expect(await t.server.core.auth.revokeApiKey(key.id, actor)).toBe(true);
    const c = await connect();
    c.send({ type: 'auth', token: key.key });
    await expectRefused(c, CLOSE_CODES.unauthorized, 'invalid_token');
  });

  it('closes a session token with 4401 once it has expired on the server clock', async () => {
    const token = await login();
    const ttlMs = sessionTtlHours * 3600_000;
    clock.advance(ttlMs - 1);
    const stillValid = await connect();
    stillValid.send({ type: 'auth', token });
    await expectWelcomed(stillValid);
    clock.advance(1);
    const c = await connect();
    c.send({ type: 'auth', token });
    await expectRefused(c, CLOSE_CODES.unauthorized, 'invalid_token');
  });

  it.each([
    { name: 'ingest', key: () => t.keys.ingest },
    { name: 'metrics', key: () => t.keys.metrics },
  ])('closes a key with only the $name scope with 4403', async ({ key }) => {
    const c = await connect();
    c.send({ type: 'auth', token: key() });
    await expectRefused(c, CLOSE_CODES.forbidden, 'forbidden');
  });

  it.each([
    { name: 'subscribe', send: (c: TestWsClient) => c.send({ type: 'subscribe', topics: ['workflow'] }), code: 'unauthenticated' },
    { name: 'heartbeat', send: (c: TestWsClient) => c.send({ type: 'heartbeat', ts: 1 }), code: 'unauthenticated' },
    { name: 'resync_request', send: (c: TestWsClient) => c.send({ type: 'resync_request', lastAckEventId: 0, epoch: 'x' }), code: 'unauthenticated' },
    { name: 'invalid JSON', send: (c: TestWsClient) => c.sendRaw('{"type":"auth",'), code: 'bad_json' },
    { name: 'an unknown type', send: (c: TestWsClient) => c.send({ type: 'hello' }), code: 'unknown_type' },
    {
      name: 'an auth message with a token over 512 characters',
      send: (c: TestWsClient) => c.send({ type: 'auth', token: 'x'.repeat(513) }),
      code: 'invalid_message',
    },
    { name: 'a binary frame', send: (c: TestWsClient) => c.sendRaw(Buffer.from(JSON.stringify({ type: 'auth', token: t.keys.read }))), code: 'binary_frame' },
  ])('closes with 4401 when the first message is $name', async ({ send, code }) => {
    const c = await connect();
    send(c);
    await expectRefused(c, CLOSE_CODES.unauthorized, code);
  });

  it('answers a second auth on an authenticated connection with a recoverable error and stays open', async () => {
    const c = await connect();
    c.send({ type: 'auth', token: t.keys.read });
    await c.waitFor((m) => m.type === 'welcome');
    c.send({ type: 'auth', token: t.keys.read });
    await c.waitFor((m) => m.type === 'error');
    expect(errors(c)).toEqual([expect.objectContaining({ code: 'already_authenticated', recoverable: true })]);
    await roundTrip(c);
    expect(c.messages.filter((m) => m.type === 'welcome')).toHaveLength(1);
    expect(c.closed).toBeUndefined();
  });
});

describe('session cookie on the upgrade request', () => {
  const cookie = (token: string) => ({ cookie: `theme=dark; bmad_ops_session=${token}` });

  it('welcomes a browser with a valid session cookie without an auth message', async () => {
    const c = await connect(cookie(await login()));
    await expectWelcomed(c);
  });

  it('welcomes it when the Origin is this server', async () => {
    const c = await connect({ ...cookie(await login()), origin: t.url });
    await expectWelcomed(c);
  });

  it.each([{ origin: 'http://evil.example' }, { origin: 'http://127.0.0.1:1' }, { origin: 'null' }])(
    'ignores the cookie when the Origin is $origin: closed with 4401 after the deadline',
    async ({ origin }) => {
      const c = await connect({ ...cookie(await login()), origin });
      await expectRefused(c, CLOSE_CODES.unauthorized, 'auth_timeout');
    },
  );

  it('lets a cross-origin browser authenticate with a token instead', async () => {
    const c = await connect({ ...cookie(await login()), origin: 'http://evil.example' });
    c.send({ type: 'auth', token: t.keys.read });
    await expectWelcomed(c);
    expect(c.messages.filter((m) => m.type === 'welcome')).toHaveLength(1);
  });

  it('ignores an API key in the cookie: only signed-in users use cookies', async () => {
    const c = await connect(cookie(t.keys.read));
    await expectRefused(c, CLOSE_CODES.unauthorized, 'auth_timeout');
  });

  it('ignores an expired session cookie, and the socket can still authenticate with a token', async () => {
    const token = await login();
    clock.advance(sessionTtlHours * 3600_000);
    const refused = await connect(cookie(token));
    const accepted = await connect(cookie(token));
    accepted.send({ type: 'auth', token: t.keys.read });
    await expectWelcomed(accepted);
    await expectRefused(refused, CLOSE_CODES.unauthorized, 'auth_timeout');
  });
});
