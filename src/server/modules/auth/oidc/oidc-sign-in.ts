import * as client from 'openid-client';
import type { Me, OidcErrorCode } from '../../../../contracts/index.js';
import type { Clock } from '../../../clock.js';
import type { DatabaseHandle } from '../../../db/handle.js';
import type { Logger } from '../../../observability/logger.js';
import type { AuthService, RequestMeta } from '../auth.service.js';
import { resolveAccount, type ProviderPerson } from './oidc-accounts.js';
import { DEFAULT_RETRY, OidcIssuer, type RetryPolicy } from './oidc-issuer.js';
import { mapRole } from './oidc-roles.js';
import type { OidcSettings } from './oidc.config.js';
import { PendingSignIns } from './pending-sign-ins.js';

export type SignInResult =
  { ok: true; session: { token: string; expiresAt: string; user: Me }; next: string } | { ok: false; error: OidcErrorCode; next?: string };

const DEFAULT_NEXT = '/workflows';

/**
 * Only a path on this site is followed after sign-in, never another origin someone put in the link: not `//host`, and
 * not `/\host`, which browsers read the same way.
 */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && next.length <= 2048 && /^\/(?![/\\])[^\\\s]*$/.test(next) ? next : DEFAULT_NEXT;
}

const asString = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/**
 * Sign-in with an OpenID Connect provider: authorization code flow with PKCE (S256), state and nonce, through
 * openid-client, which checks the code exchange and the ID token. What it yields is a normal session, as a password
 * sign-in does.
 */
export class OidcSignIn {
  readonly issuer: OidcIssuer;
  readonly pending: PendingSignIns;

  constructor(
    readonly settings: OidcSettings,
    private readonly deps: { db: DatabaseHandle; auth: AuthService; clock: Clock; logger: Logger },
    retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.issuer = new OidcIssuer(settings, deps.logger, retry);
    this.pending = new PendingSignIns(deps.clock);
  }

  get name(): string {
    return this.settings.name;
  }

  start(): void {
    this.issuer.start();
  }

  stop(): void {
    this.issuer.stop();
  }

  /** Where to send the browser, and the handle of what to remember for its return (kept in a cookie). */
  async begin(next: unknown): Promise<{ ok: true; redirectTo: string; handle: string } | { ok: false; error: OidcErrorCode }> {
    const config = await this.issuer.get();
    if (!config) return { ok: false, error: 'oidc_unavailable' };
    const codeVerifier = client.randomPKCECodeVerifier();
    const pending = { state: client.randomState(), nonce: client.randomNonce(), codeVerifier, next: safeNext(next) };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUrl,
      scope: this.scopes(config).join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { ok: true, redirectTo: url.href, handle: this.pending.add(pending) };
  }

  /** The scopes asked for, plus the role claim's own scope when the provider has one of that name (e.g. `groups`). */
  private scopes(config: client.Configuration): string[] {
    const supported = config.serverMetadata().scopes_supported ?? [];
    const claimScope = supported.includes(this.settings.roleClaim) ? [this.settings.roleClaim] : [];
    return [...new Set([...this.settings.scopes, ...claimScope])];
  }

  /** The provider's answer at the callback: `query` is the callback's query string, `handle` the cookie's value. */
  async complete(handle: string | undefined, query: URLSearchParams, meta: RequestMeta): Promise<SignInResult> {
    const pending = this.pending.take(handle);
    if (!pending) return this.refuse('oidc_expired', meta);
    const fail = (error: OidcErrorCode, details: Record<string, unknown> = {}, accountId: string | null = null) =>
      this.refuse(error, meta, { ...details, next: pending.next }, accountId);
    // Checked here as well as by openid-client, to tell a forged or crossed callback apart from a provider failure.
    if (query.get('state') !== pending.state) return fail('oidc_state_mismatch');
    const providerError = query.get('error');
    if (providerError !== null) return fail('oidc_denied', { providerError: providerError.slice(0, 100) });
    const config = await this.issuer.get();
    if (!config) return fail('oidc_unavailable');
    let claims: Record<string, unknown>;
    try {
      const callbackUrl = new URL(this.settings.redirectUrl);
      callbackUrl.search = query.toString();
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims()!;
      // Claims beyond `sub` often come only from userinfo (the ID token of a code flow may carry just the essentials);
      // openid-client checks its `sub` is the ID token's. The signed ID token wins where both speak.
      const userinfo = config.serverMetadata().userinfo_endpoint ? await client.fetchUserInfo(config, tokens.access_token, idClaims.sub) : {};
      claims = { ...userinfo, ...idClaims };
    } catch (err) {
      // openid-client's code for what went wrong, and the provider's OAuth error when it answered with one (invalid_grant…).
      const { name, message, code, error } = err as Error & { code?: unknown; error?: unknown };
      this.deps.logger.warn({ error: { name, message, code, providerError: error } }, 'OIDC sign-in: the code exchange or the ID token was refused');
      return fail('oidc_failed', { error: code ?? name, ...(typeof error === 'string' ? { providerError: error.slice(0, 100) } : {}) });
    }
    const person: ProviderPerson = {
      issuer: String(claims.iss),
      subject: String(claims.sub),
      email: asString(claims.email)?.toLowerCase() ?? null,
      emailVerified: claims.email_verified === true,
      displayName: asString(claims.name) ?? asString(claims.preferred_username),
      role: mapRole(claims, this.settings),
    };
    const who = { subject: person.subject, email: person.email };
    const resolved = await resolveAccount(this.deps.db, person, this.deps.clock.now().toISOString());
    if (!resolved.ok) return fail(resolved.reason, who, resolved.accountId);
    const { account } = resolved;
    const system = { actorType: 'system' as const, actorId: null, ip: meta.ip };
    if (resolved.how === 'created') {
      await this.deps.auth.audit({
        ...system,
        action: 'user.create',
        targetType: 'user',
        targetId: account.id,
        outcome: 'success',
        details: { email: account.email, role: account.role, method: 'oidc', issuer: person.issuer },
      });
    } else if (resolved.previousRole !== account.role) {
      await this.deps.auth.audit({
        ...system,
        action: 'user.set_role',
        targetType: 'user',
        targetId: account.id,
        outcome: 'success',
        details: { from: resolved.previousRole, to: account.role, method: 'oidc' },
      });
    }
    const session = await this.deps.auth.openSession(account, meta, {
      method: 'oidc',
      issuer: person.issuer,
      subject: person.subject,
      ...(resolved.how === 'known' ? {} : { [resolved.how]: true }),
    });
    return { ok: true, session, next: pending.next };
  }

  private async refuse(error: OidcErrorCode, meta: RequestMeta, details: Record<string, unknown> = {}, accountId: string | null = null): Promise<SignInResult> {
    const { next, ...rest } = details;
    await this.deps.auth.audit({
      actorType: 'anonymous',
      actorId: accountId,
      action: 'auth.login',
      targetType: 'user',
      targetId: accountId,
      outcome: 'failure',
      ip: meta.ip,
      details: { method: 'oidc', reason: error, ...rest },
    });
    return { ok: false, error, ...(typeof next === 'string' ? { next } : {}) };
  }
}
