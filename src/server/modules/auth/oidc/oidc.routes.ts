import { Router, type Request, type Response } from 'express';
import { API, type AuthProviders, type OidcErrorCode } from '../../../../contracts/index.js';
import { limiter } from '../../../http/rate-limit.js';
import { mount, mountRaw } from '../../../http/mount.js';
import type { RequestMeta } from '../auth.service.js';
import { setSessionCookie } from '../session-cookie.js';
import { OIDC_LOGIN_PATH } from './oidc.config.js';
import type { OidcSignIn } from './oidc-sign-in.js';

/** The handle of a sign-in under way; sent back only to the OIDC routes, and only for as long as one may take. */
const PENDING_COOKIE = 'bmad_ops_oidc';
const PENDING_COOKIE_PATH = '/api/v1/auth/oidc';

const meta = (req: Request): RequestMeta => ({ ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null });

function toLogin(res: Response, error: OidcErrorCode, next?: string): void {
  const q = new URLSearchParams({ error });
  if (next !== undefined) q.set('next', next);
  res.redirect(303, `/login?${q.toString()}`);
}

/** GET /auth/providers (anonymous) always; the OIDC routes when a provider is configured. */
export function oidcRoutes(oidc: OidcSignIn | undefined): Router {
  const r = Router();
  mount(r, API.auth.providers, ({ res }): AuthProviders => {
    res.set('Cache-Control', 'no-store');
    return { oidc: oidc ? { name: oidc.name, loginUrl: OIDC_LOGIN_PATH } : null };
  });
  if (!oidc) return r;

  mountRaw(
    r,
    API.auth.oidcLogin,
    // Each click holds a little server memory for ten minutes: one address may not start more than this many a minute.
    limiter({ windowMs: 60_000, limit: 30, key: 'ip', message: 'too many sign-in attempts; wait a minute' }),
    async (req, res, next) => {
      try {
        const started = await oidc.begin(req.query.next);
        if (!started.ok) return toLogin(res, started.error);
        res.cookie(PENDING_COOKIE, started.handle, {
          httpOnly: true,
          sameSite: 'lax',
          secure: req.secure,
          path: PENDING_COOKIE_PATH,
          maxAge: oidc.pending.ttlMs,
        });
        res.set('Cache-Control', 'no-store').redirect(303, started.redirectTo);
      } catch (err) {
        next(err);
      }
    },
  );
  mountRaw(r, API.auth.oidcCallback, async (req, res, next) => {
    try {
      const handle = (req.cookies as Record<string, unknown> | undefined)?.[PENDING_COOKIE];
      res.clearCookie(PENDING_COOKIE, { path: PENDING_COOKIE_PATH });
      const query = new URL(req.originalUrl, 'http://callback.invalid').searchParams;
      const result = await oidc.complete(typeof handle === 'string' ? handle : undefined, query, meta(req));
      res.set('Cache-Control', 'no-store');
      if (!result.ok) return toLogin(res, result.error, result.next);
      setSessionCookie(req, res, result.session);
      res.redirect(303, result.next);
    } catch (err) {
      next(err);
    }
  });
  return r;
}
