import { Router, type Request } from 'express';
import type { Store } from 'express-rate-limit';
import { API } from '../../../contracts/index.js';
import { HttpError, notFound } from '../../http/errors.js';
import { limiter } from '../../http/rate-limit.js';
import { mount } from '../../http/mount.js';
import { sessionCookieName } from './auth.middleware.js';
import { WrongPasswordError, type AuthService, type RequestMeta } from './auth.service.js';
import { setSessionCookie } from './session-cookie.js';

const meta = (req: Request): RequestMeta => ({ ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null });

export function authRoutes(auth: AuthService, opts: { loginAttemptsPerMinute: number; stores?: (name: string) => Store | undefined }): Router {
  const r = Router();
  mount(
    r,
    API.auth.login,
    async ({ body, req, res }) => {
      const result = await auth.login(body.email, body.password, meta(req));
      if (!result) throw new HttpError(401, 'invalid_credentials', 'email or password is wrong');
      setSessionCookie(req, res, result);
      // Script callers ask for the token; returning it to a browser would hand an XSS what HttpOnly keeps from it.
      return { expiresAt: result.expiresAt, user: result.user, ...(body.issueToken ? { token: result.token } : {}) };
    },
    [
      limiter({
        windowMs: 60_000,
        limit: opts.loginAttemptsPerMinute,
        key: 'ip',
        message: 'too many failed login attempts; wait a minute',
        countOnlyFailures: true,
        store: opts.stores?.('login:'),
      }),
    ],
  );
  mount(r, API.auth.logout, async ({ req, res, principal }) => {
    await auth.logout(principal!, meta(req));
    res.clearCookie(sessionCookieName(req.secure), { path: '/', secure: req.secure, httpOnly: true, sameSite: 'lax' });
    res.status(204).end();
  });
  mount(r, API.auth.me, async ({ principal }) => {
    if (principal?.kind !== 'user') return undefined;
    return (await auth.me(principal.userId)) ?? Promise.reject(notFound('user', principal.userId));
  });
  mount(
    r,
    API.auth.changePassword,
    async ({ body, req, principal }) => {
      if (principal?.kind !== 'user') return undefined;
      if (body.newPassword === body.currentPassword) {
        throw new HttpError(422, 'validation_failed', 'the new password must differ from the current one', [
          { path: 'body.newPassword', message: 'must differ from the current password' },
        ]);
      }
      try {
        return await auth.changeOwnPassword(principal, body.currentPassword, body.newPassword, meta(req));
      } catch (err) {
        if (err instanceof WrongPasswordError) throw new HttpError(403, 'wrong_password', err.message, [{ path: 'body.currentPassword', message: 'is wrong' }]);
        throw err;
      }
    },
    // Guessing the current password through this route is throttled like logins are.
    [
      limiter({
        windowMs: 60_000,
        limit: opts.loginAttemptsPerMinute,
        key: 'ip',
        message: 'too many failed attempts; wait a minute',
        countOnlyFailures: true,
        store: opts.stores?.('password:'),
      }),
    ],
  );
  mount(r, API.auth.setPreferences, async ({ body, principal }) => {
    if (principal?.kind !== 'user') return undefined;
    const current = await auth.me(principal.userId);
    if (!current) throw notFound('user', principal.userId);
    return auth.setPreferences(principal.userId, { ...current.preferences, ...body });
  });
  return r;
}
