import { Router, type Request } from 'express';
import { z } from 'zod';
import { changePasswordBodySchema, loginBodySchema } from '../../../contracts/index.js';
import { HttpError, notFound } from '../../http/errors.js';
import { limiter } from '../../http/rate-limit.js';
import { route } from '../../http/route.js';
import { requireAccess, sessionCookieName } from './auth.middleware.js';
import { WrongPasswordError, type AuthService, type RequestMeta } from './auth.service.js';
import { setSessionCookie } from './session-cookie.js';

export const preferencesBodySchema = z.strictObject({
  theme: z.enum(['light', 'dark', 'system']).optional(),
});

const meta = (req: Request): RequestMeta => ({ ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null });

export function authRoutes(auth: AuthService, opts: { loginAttemptsPerMinute: number }): Router {
  const r = Router();
  r.post(
    '/auth/login',
    limiter({ windowMs: 60_000, limit: opts.loginAttemptsPerMinute, key: 'ip', message: 'too many failed login attempts; wait a minute', countOnlyFailures: true }),
    route({ body: loginBodySchema }, async ({ body, req, res }) => {
      const result = await auth.login(body.email, body.password, meta(req));
      if (!result) throw new HttpError(401, 'invalid_credentials', 'email or password is wrong');
      setSessionCookie(req, res, result);
      // Script callers ask for the token; returning it to a browser would hand an XSS what HttpOnly keeps from it.
      return { expiresAt: result.expiresAt, user: result.user, ...(body.issueToken ? { token: result.token } : {}) };
    }),
  );
  r.post(
    '/auth/logout',
    requireAccess('session'),
    route({}, async ({ req, res, principal }) => {
      await auth.logout(principal!, meta(req));
      res.clearCookie(sessionCookieName(req.secure), { path: '/', secure: req.secure, httpOnly: true, sameSite: 'lax' });
      res.status(204).end();
    }),
  );
  r.get(
    '/auth/me',
    requireAccess('session'),
    route({}, async ({ principal }) => {
      if (principal?.kind !== 'user') return undefined;
      return (await auth.me(principal.userId)) ?? Promise.reject(notFound('user', principal.userId));
    }),
  );
  r.post(
    '/auth/me/password',
    // Guessing the current password through this route is throttled like logins are.
    limiter({ windowMs: 60_000, limit: opts.loginAttemptsPerMinute, key: 'ip', message: 'too many failed attempts; wait a minute', countOnlyFailures: true }),
    requireAccess('session'),
    route({ body: changePasswordBodySchema }, async ({ body, req, principal }) => {
      if (principal?.kind !== 'user') return undefined;
      if (body.newPassword === body.currentPassword) {
        throw new HttpError(422, 'validation_failed', 'the new password must differ from the current one', [{ path: 'body.newPassword', message: 'must differ from the current password' }]);
      }
      try {
        return await auth.changeOwnPassword(principal, body.currentPassword, body.newPassword, meta(req));
      } catch (err) {
        if (err instanceof WrongPasswordError) throw new HttpError(403, 'wrong_password', err.message, [{ path: 'body.currentPassword', message: 'is wrong' }]);
        throw err;
      }
    }),
  );
  r.put(
    '/auth/me/preferences',
    requireAccess('session'),
    route({ body: preferencesBodySchema }, async ({ body, principal }) => {
      if (principal?.kind !== 'user') return undefined;
      const current = await auth.me(principal.userId);
      if (!current) throw notFound('user', principal.userId);
      return auth.setPreferences(principal.userId, { ...current.preferences, ...body });
    }),
  );
  return r;
}
