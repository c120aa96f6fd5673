import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, type ConfigInput } from '../../src/server/config.js';
import { oidcSettings } from '../../src/server/modules/auth/oidc/oidc.config.js';
import { OidcIssuer } from '../../src/server/modules/auth/oidc/oidc-issuer.js';
import { createLogger } from '../../src/server/observability/logger.js';
import { auditRepository } from '../../src/server/modules/audit/audit.repository.js';
import { CookieJar, freePort, startOidcProvider, type TestPerson, type TestProvider } from '../support/oidc-provider.js';
import { ADMIN, startTestServer, type TestServer } from '../support/test-server.js';

const CALLBACK = '/api/v1/auth/oidc/callback';
const actor = { actorType: 'system' as const, actorId: null };

interface World {
  provider: TestProvider;
  bmad: TestServer;
  close(): Promise<void>;
}

/**
 * A provider and a BMAD Ops server registered with it. The server's port is picked first: its URL is the redirect URI
 * the provider must know. `providerDown`: the server starts while nothing answers at the issuer; `startProvider` then
 * brings the provider up there.
 */
async function world(
  oidc: Partial<NonNullable<ConfigInput['oidc']>> = {},
  opts: { providerDown?: boolean } = {},
): Promise<World & { startProvider(): Promise<void> }> {
  const port = await freePort();
  const providerPort = await freePort();
  const redirectUri = `http://127.0.0.1:${port}${CALLBACK}`;
  const clientSecret = randomBytes(24).toString('base64url');
  const w = {} as World & { startProvider(): Promise<void> };
  w.startProvider = async () => {
    w.provider = await startOidcProvider({ redirectUri, port: providerPort, clientSecret });
  };
  if (!opts.providerDown) await w.startProvider();
  w.bmad = await startTestServer({
    config: {
      port,
      oidc: {
        issuer: `http://127.0.0.1:${providerPort}`,
        clientId: 'bmad-ops',
        clientSecret,
        redirectUrl: redirectUri,
        roleMap: { 'bmad-managers': 'manager', 'bmad-ops': 'operator' },
        name: 'Test IdP',
        ...oidc,
      },
    },
  });
  w.close = async () => {
    await w.bmad.close();
    await w.provider?.close();
  };
  return w;
}

interface Outcome {
  /** Where the browser ended up on BMAD Ops once the flow was over. */
  landed: URL;
  jar: CookieJar;
  session: string | undefined;
}

/**
 * One browser signing in, each redirect taken by hand: BMAD Ops' login route → the provider's authorization endpoint →
 * its login form (submitted as `login`) → back to BMAD Ops' callback → the page signed in (or /login?error=…).
 * `atCallback` may rewrite the callback URL the provider sent, as an attacker in the middle would.
 */
async function signIn(
  w: World,
  login: string,
  opts: { next?: string; jar?: CookieJar; atCallback?: (url: URL) => URL; abort?: boolean } = {},
): Promise<Outcome> {
  const jar = opts.jar ?? new CookieJar();
  const bmadOrigin = new URL(w.bmad.url).origin;
  let url = new URL(`/api/v1/auth/oidc/login${opts.next === undefined ? '' : `?next=${encodeURIComponent(opts.next)}`}`, w.bmad.url);
  for (let hop = 0; hop < 20; hop++) {
    if (url.pathname === CALLBACK && opts.atCallback) url = opts.atCallback(url);
    const res = await jar.fetch(url);
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location)
      throw new Error(`${url.href} answered ${res.status} without a redirect: ${(await res.text()).slice(0, 300)}`);
    const next = new URL(location, url);
    if (next.origin === bmadOrigin && !next.pathname.startsWith('/api/')) return { landed: next, jar, session: jar.get(bmadOrigin, 'bmad_ops_session') };
    if (next.origin !== bmadOrigin && /^\/interaction\/[^/]+$/.test(next.pathname)) {
      const page = await (await jar.fetch(next)).text();
      if (opts.abort) {
        url = new URL(`${next.pathname}/abort`, next);
        continue;
      }
      const form: Record<string, string> = page.includes('name="prompt" value="login"')
        ? { prompt: 'login', login, password: 'any password' }
        : { prompt: 'consent' };
      const submitted = await jar.fetch(next, { method: 'POST', form });
      url = new URL(submitted.headers.get('location')!, next);
      continue;
    }
    url = next;
  }
  throw new Error('too many redirects');
}

async function me(w: World, session: string | undefined) {
  const res = await fetch(`${w.bmad.url}/api/v1/auth/me`, { headers: { cookie: `bmad_ops_session=${session}` } });
  return {
    status: res.status,
    body: (await res.json()) as { id: string; email: string; role: string; displayName: string | null; passwordChangeRequired: boolean },
  };
}

const audits = (w: World) => auditRepository.recent(w.bmad.server.core.db.read, 500);
const person = (w: World, p: TestPerson) => w.provider.people.set(p.sub, p);

describe('sign-in with an OpenID Connect provider (a real oidc-provider)', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });
  afterAll(() => w.close());

  it('tells the login page it is on, with its label', async () => {
    const res = await fetch(`${w.bmad.url}/api/v1/auth/providers`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ oidc: { name: 'Test IdP', loginUrl: '/api/v1/auth/oidc/login' } });
  });

  it('sends the browser to the provider with PKCE S256, state and nonce, remembered in a short-lived HttpOnly cookie', async () => {
    const jar = new CookieJar();
    const res = await jar.fetch(`${w.bmad.url}/api/v1/auth/oidc/login`);
    expect(res.status).toBe(303);
    const to = new URL(res.headers.get('location')!);
    expect(to.origin).toBe(w.provider.issuer);
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
    expect(to.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(to.searchParams.get('state')).toBeTruthy();
    expect(to.searchParams.get('nonce')).toBeTruthy();
    expect(to.searchParams.get('redirect_uri')).toBe(`${w.bmad.url}${CALLBACK}`);
    expect(to.searchParams.get('scope')!.split(' ')).toEqual(expect.arrayContaining(['openid', 'email', 'groups']));
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('bmad_ops_oidc='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\/api\/v1\/auth\/oidc/);
    expect(cookie).toMatch(/Max-Age=600/);
  });

  it('a person in the managers group gets an account with the manager role and a normal session cookie', async () => {
    person(w, { sub: 'ann', email: 'Ann@Example.test', email_verified: true, name: 'Ann Manager', groups: ['staff', 'bmad-managers'] });
    const out = await signIn(w, 'ann', { next: '/costs?range=7d' });
    expect(out.landed.pathname + out.landed.search).toBe('/costs?range=7d');
    expect(out.session).toMatch(/^bms_/);
    const who = await me(w, out.session);
    expect(who.status).toBe(200);
    expect(who.body).toMatchObject({ email: 'ann@example.test', role: 'manager', displayName: 'Ann Manager', passwordChangeRequired: false });
    // The cookie is the password login's: a manager-only route accepts it.
    const keys = await fetch(`${w.bmad.url}/metrics`, { headers: { cookie: `bmad_ops_session=${out.session}` } });
    expect(keys.status).toBe(200);

    const rows = await audits(w);
    expect(rows.find((r) => r.action === 'user.create' && r.targetId === who.body.id)?.details).toMatchObject({ method: 'oidc', role: 'manager' });
    expect(rows.find((r) => r.action === 'auth.login' && r.outcome === 'success' && r.actorId === who.body.id)?.details).toMatchObject({
      method: 'oidc',
      issuer: w.provider.issuer,
      subject: 'ann',
      created: true,
    });
  });

  it('a person in no mapped group gets the default role (viewer)', async () => {
    person(w, { sub: 'vic', email: 'vic@example.test', email_verified: true, groups: ['staff'] });
    const out = await signIn(w, 'vic');
    expect(out.landed.pathname).toBe('/workflows');
    expect((await me(w, out.session)).body.role).toBe('viewer');
  });

  it('role changes at the provider apply at the next sign-in, and are audited', async () => {
    person(w, { sub: 'rob', email: 'rob@example.test', email_verified: true, groups: ['bmad-ops'] });
    const first = await signIn(w, 'rob');
    const id = (await me(w, first.session)).body.id;
    expect((await me(w, first.session)).body.role).toBe('operator');

    person(w, { sub: 'rob', email: 'rob@example.test', email_verified: true, groups: ['bmad-ops', 'bmad-managers'] });
    const second = await signIn(w, 'rob');
    expect((await me(w, second.session)).body).toMatchObject({ id, role: 'manager' });

    person(w, { sub: 'rob', email: 'rob@example.test', email_verified: true, groups: [] });
    // The same browser again: the provider remembers the person, the claims are read afresh.
    const third = await signIn(w, 'rob', { jar: second.jar });
    expect((await me(w, third.session)).body).toMatchObject({ id, role: 'viewer' });

    const changes = (await audits(w)).filter((r) => r.action === 'user.set_role' && r.targetId === id).map((r) => r.details);
    expect(changes).toEqual([
      { from: 'manager', to: 'viewer', method: 'oidc' },
      { from: 'operator', to: 'manager', method: 'oidc' },
    ]);
  });

  it('links an existing account by a verified email, and refuses to by an unverified one', async () => {
    const local = await w.bmad.server.core.auth.createUser({ email: 'lin@example.test', role: 'operator', password: 'lin password long enough' }, actor);
    person(w, { sub: 'lin-unverified', email: 'lin@example.test', email_verified: false, groups: ['bmad-managers'] });
    const refused = await signIn(w, 'lin-unverified');
    expect(refused.landed.pathname).toBe('/login');
    expect(refused.landed.searchParams.get('error')).toBe('oidc_email_unverified');
    expect(refused.session).toBeUndefined();

    person(w, { sub: 'lin', email: 'LIN@example.test', email_verified: true, groups: ['bmad-ops'] });
    const linked = await signIn(w, 'lin');
    expect((await me(w, linked.session)).body).toMatchObject({ id: local.id, role: 'operator' });
    // The password still works too: linking adds a way in, it takes none away.
    const pw = await w.bmad.post('/api/v1/auth/login', { email: 'lin@example.test', password: 'lin password long enough' }, null);
    expect(pw.status).toBe(200);

    // Another person of the same provider claiming the address later does not take the account over.
    person(w, { sub: 'lin-2', email: 'lin@example.test', email_verified: true, groups: [] });
    expect((await signIn(w, 'lin-2')).landed.searchParams.get('error')).toBe('oidc_identity_conflict');
  });

  it('a disabled account is refused', async () => {
    person(w, { sub: 'dee', email: 'dee@example.test', email_verified: true, groups: ['bmad-ops'] });
    expect((await signIn(w, 'dee')).session).toBeDefined();
    await w.bmad.server.core.auth.setDisabled('dee@example.test', true, actor);
    const out = await signIn(w, 'dee', { next: '/costs' });
    expect(out.session).toBeUndefined();
    expect(out.landed.pathname).toBe('/login');
    expect(Object.fromEntries(out.landed.searchParams)).toEqual({ error: 'oidc_account_disabled', next: '/costs' });
    const failure = (await audits(w)).find((r) => r.action === 'auth.login' && r.outcome === 'failure' && r.details?.reason === 'oidc_account_disabled');
    expect(failure?.details).toMatchObject({ method: 'oidc', subject: 'dee', email: 'dee@example.test' });
  });

  it('a callback whose state was changed is refused and its code never used', async () => {
    person(w, { sub: 'sam', email: 'sam@example.test', email_verified: true, groups: ['bmad-managers'] });
    const out = await signIn(w, 'sam', {
      atCallback: (u) => {
        u.searchParams.set('state', 'forged-state');
        return u;
      },
    });
    expect(out.session).toBeUndefined();
    expect(out.landed.searchParams.get('error')).toBe('oidc_state_mismatch');
    expect((await audits(w)).some((r) => r.action === 'auth.login' && r.details?.reason === 'oidc_state_mismatch')).toBe(true);
  });

  it('a tampered code is refused by the provider', async () => {
    person(w, { sub: 'tom', email: 'tom@example.test', email_verified: true, groups: ['bmad-managers'] });
    const out = await signIn(w, 'tom', {
      atCallback: (u) => {
        u.searchParams.set('code', `${u.searchParams.get('code')!.slice(0, -4)}AAAA`);
        return u;
      },
    });
    expect(out.session).toBeUndefined();
    expect(out.landed.searchParams.get('error')).toBe('oidc_failed');
    expect((await audits(w)).find((r) => r.action === 'auth.login' && r.details?.reason === 'oidc_failed')?.details).toMatchObject({
      method: 'oidc',
      providerError: 'invalid_grant',
    });
  });

  it('a callback without the browser that started the sign-in (no pending cookie) is refused', async () => {
    person(w, { sub: 'eve', email: 'eve@example.test', email_verified: true, groups: ['bmad-managers'] });
    let stolen: URL | undefined;
    await signIn(w, 'eve', {
      atCallback: (u) => {
        stolen = new URL(u);
        // The victim's browser never gets there: the state is broken so that code stays unused.
        u.searchParams.set('state', 'x');
        return u;
      },
    });
    const res = await new CookieJar().fetch(stolen!);
    expect(new URL(res.headers.get('location')!, w.bmad.url).searchParams.get('error')).toBe('oidc_expired');
  });

  it('a person who cancels at the provider comes back to the login page with a reason', async () => {
    person(w, { sub: 'can', email: 'can@example.test', email_verified: true });
    const out = await signIn(w, 'can', { abort: true });
    expect(out.landed.pathname).toBe('/login');
    expect(out.landed.searchParams.get('error')).toBe('oidc_denied');
  });

  it('follows only paths on this site after sign-in', async () => {
    person(w, { sub: 'nia', email: 'nia@example.test', email_verified: true });
    for (const next of ['//evil.example/x', '/\\evil.example', 'https://evil.example/']) {
      expect((await signIn(w, 'nia', { next })).landed.pathname).toBe('/workflows');
    }
  });

  it('password sign-in keeps working beside it', async () => {
    const res = await w.bmad.post('/api/v1/auth/login', { email: ADMIN.email, password: ADMIN.password }, null);
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('bmad_ops_session=bms_') && /HttpOnly/i.test(c) && /SameSite=Lax/i.test(c))).toBe(true);
  });
});

describe('BMAD_OPS_OIDC_DEFAULT_ROLE=none', () => {
  let w: World;
  beforeAll(async () => {
    w = await world({ defaultRole: 'none' });
  });
  afterAll(() => w.close());

  it('refuses a person none of whose groups is mapped, and makes no account', async () => {
    person(w, { sub: 'out', email: 'out@example.test', email_verified: true, groups: ['staff'] });
    const out = await signIn(w, 'out');
    expect(out.session).toBeUndefined();
    expect(out.landed.searchParams.get('error')).toBe('oidc_no_role');
    expect((await w.bmad.server.core.auth.listAccounts()).some((a) => a.email === 'out@example.test')).toBe(false);

    person(w, { sub: 'in', email: 'in@example.test', email_verified: true, groups: ['bmad-ops'] });
    expect((await me(w, (await signIn(w, 'in')).session)).body.role).toBe('operator');
  });
});

describe('a provider that is down when the server starts', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world({}, { providerDown: true });
  });
  afterAll(() => w.close());

  it('the server starts, password sign-in works, the button leads back with a reason; once the provider is up, sign-in works', async () => {
    const pw = await w.bmad.post('/api/v1/auth/login', { email: ADMIN.email, password: ADMIN.password }, null);
    expect(pw.status).toBe(200);
    const down = await new CookieJar().fetch(`${w.bmad.url}/api/v1/auth/oidc/login`);
    expect(down.status).toBe(303);
    expect(down.headers.get('location')).toBe('/login?error=oidc_unavailable');
    expect((await audits(w)).some((r) => r.action === 'auth.login' && r.details?.reason === 'oidc_unavailable')).toBe(false);

    // No waiting for the next scheduled retry: the click itself tries the provider again.
    await w.startProvider();
    person(w, { sub: 'late', email: 'late@example.test', email_verified: true, groups: ['bmad-managers'] });
    const out = await signIn(w, 'late');
    expect((await me(w, out.session)).body.role).toBe('manager');
  });
});

describe('discovery in the background', () => {
  it('retries with backoff, saying so in the log, until the provider answers', async () => {
    const port = await freePort();
    const lines: { level: number; msg: string; attempt?: number; retryInSec?: number; error?: string }[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
    const settings = oidcSettings(
      configSchema.parse({ oidc: { issuer: `http://127.0.0.1:${port}`, clientId: 'bmad-ops', redirectUrl: `http://127.0.0.1:1${CALLBACK}` } }).oidc,
    )!;
    const issuer = new OidcIssuer(settings, logger, { firstDelayMs: 20, maxDelayMs: 80, requestTimeoutSec: 2 });
    issuer.start();
    await expect.poll(() => lines.filter((l) => l.level === 40).length).toBeGreaterThanOrEqual(4);
    expect(issuer.available).toBe(false);
    const warnings = lines.filter((l) => l.level === 40);
    expect(warnings[0]!.msg).toMatch(/OIDC provider unreachable.*password sign-in keeps working/);
    expect(warnings[0]!.error).toMatch(/fetch failed \(ECONNREFUSED\)/);
    expect(warnings.map((l) => l.attempt).slice(0, 4)).toEqual([1, 2, 3, 4]);

    const provider = await startOidcProvider({ redirectUri: `http://127.0.0.1:1${CALLBACK}`, port });
    try {
      await expect.poll(() => issuer.available).toBe(true);
      expect(lines.at(-1)!.msg).toBe('OIDC provider reachable again: sign-in with it works');
    } finally {
      issuer.stop();
      await provider.close();
    }
  });
});
