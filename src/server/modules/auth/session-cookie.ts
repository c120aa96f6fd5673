import type { Request, Response } from 'express';
import { sessionCookieName } from './auth.middleware.js';

/** The browser's session, however the person signed in (password or identity provider): the same cookie either way. */
export function setSessionCookie(req: Request, res: Response, session: { token: string; expiresAt: string }): void {
  res.cookie(sessionCookieName(req.secure), session.token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: req.secure,
    path: '/',
    expires: new Date(session.expiresAt),
  });
}
