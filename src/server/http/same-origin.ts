import type { RequestHandler } from 'express';
import { forbidden } from './errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cross-site request forgery guard. A browser attaches the session cookie to any site's request, so a state change
 * that does not carry its own bearer token must come from our own pages: its `Origin` (or, without one,
 * `Sec-Fetch-Site`) must be this server. Requests with an Authorization header are scripts and keys: a browser never
 * adds that header across sites by itself. Login is covered too (no cross-site sign-in into someone else's account).
 */
export const sameOriginWrites: RequestHandler = (req, _res, next) => {
  if (SAFE_METHODS.has(req.method) || req.get('authorization') !== undefined) return next();
  const origin = req.get('origin');
  if (origin !== undefined) {
    let host: string | null;
    try {
      host = origin === 'null' ? null : new URL(origin).host;
    } catch {
      host = null;
    }
    if (host !== req.get('host')) return next(forbidden(`a cross-site request (Origin ${origin.slice(0, 100)}) may not change anything here`));
    return next();
  }
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return next(forbidden(`a ${site.slice(0, 20)} request may not change anything here`));
  next();
};
