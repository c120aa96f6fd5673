import type { RequestHandler } from 'express';
import { rateLimit, ipKeyGenerator, type Store } from 'express-rate-limit';
import { tooManyRequests } from './errors.js';

/** Fixed-window limiter answering 429 with Retry-After in our error shape. `key` picks the client identity. */
export function limiter(opts: {
  windowMs: number;
  limit: number;
  key: 'ip' | 'principal';
  message: string;
  onLimited?: () => void;
  countOnlyFailures?: boolean;
  /** Where hits are counted: this process's memory (the default), or a store the instances share. */
  store?: Store;
}): RequestHandler {
  return rateLimit({
    ...(opts.store ? { store: opts.store } : {}),
    windowMs: opts.windowMs,
    limit: opts.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    skipSuccessfulRequests: opts.countOnlyFailures ?? false,
    keyGenerator: (req, res) => {
      const principal = res.locals.principal as { kind: string; keyId?: string; userId?: string } | undefined;
      if (opts.key === 'principal' && principal) return `${principal.kind}:${principal.keyId ?? principal.userId}`;
      return ipKeyGenerator(req.ip ?? 'unknown');
    },
    handler: (_req, _res, next) => {
      opts.onLimited?.();
      next(tooManyRequests(opts.windowMs / 1000, opts.message));
    },
  });
}
