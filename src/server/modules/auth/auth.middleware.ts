import type { RequestHandler } from 'express';
import { forbidden, HttpError, unauthorized } from '../../http/errors.js';
import type { AuthService } from './auth.service.js';
import { denialReason, PASSWORD_CHANGE_REQUIRED, type Access, type Principal } from './principal.js';

export const SESSION_COOKIE = 'bmad_ops_session';
/**
 * Over HTTPS the cookie carries the `__Host-` prefix: the browser then only accepts it Secure, for this host and path
 * `/`, so neither a sibling subdomain nor a plain-HTTP man in the middle can plant a session of their choosing.
 */
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;
export const sessionCookieName = (secure: boolean) => (secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE);

/** Resolves the caller from `Authorization: Bearer` or, for browsers, the session cookie. Never rejects by itself. */
export function authenticate(auth: AuthService): RequestHandler {
  return async (req, res, next) => {
    try {
      const header = req.get('authorization');
      if (header !== undefined) {
        const m = /^Bearer\s+(\S{1,512})\s*$/i.exec(header);
        if (!m) return next(unauthorized('the Authorization header must be "Bearer <token>"'));
        const principal = await auth.resolveToken(m[1]!);
        if (!principal) return next(unauthorized('the token is invalid, revoked or expired'));
        res.locals.principal = principal;
        return next();
      }
      const cookie = (req.cookies as Record<string, unknown> | undefined)?.[sessionCookieName(req.secure)];
      if (typeof cookie === 'string' && cookie.length <= 512) {
        // An expired cookie leaves the browser anonymous rather than failing the request, so it can still log in.
        const principal = await auth.resolveToken(cookie);
        if (principal?.kind === 'user') res.locals.principal = principal;
      }
      next();
    } catch (err) {
      next(err);
    }
  };
}

export function requireAccess(access: Access): RequestHandler {
  return (_req, res, next) => {
    const principal = res.locals.principal as Principal | undefined;
    if (!principal) return next(unauthorized());
    const reason = denialReason(principal, access);
    if (reason === PASSWORD_CHANGE_REQUIRED) return next(new HttpError(403, 'password_change_required', reason));
    next(reason ? forbidden(reason) : undefined);
  };
}
