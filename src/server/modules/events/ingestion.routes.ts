import express, { Router } from 'express';
import { API, INGEST_LIMITS, ingestRequestSchema, issuesToFieldErrors } from '../../../contracts/index.js';
import { HttpError } from '../../http/errors.js';
import { limiter } from '../../http/rate-limit.js';
import { mountRaw } from '../../http/mount.js';
import { sentByOf, type Principal } from '../auth/index.js';
import type { IngestionService } from './ingestion.service.js';

export function ingestionRoutes(service: IngestionService, opts: { rateLimitPerSecond: number; onLimited: () => void }): Router {
  const r = Router();
  mountRaw(
    r,
    API.ops.ingest,
    limiter({ windowMs: 1000, limit: opts.rateLimitPerSecond, key: 'principal', message: 'ingest rate limit reached for this key', onLimited: opts.onLimited }),
    (req, _res, next) => {
      if (!req.is('application/json')) return next(new HttpError(415, 'unsupported_media_type', 'the body must be JSON (Content-Type: application/json)'));
      next();
    },
    express.json({ limit: INGEST_LIMITS.maxBytes, strict: true }),
    async (req, res, next) => {
      try {
        const body = ingestRequestSchema.safeParse(req.body);
        if (!body.success) {
          throw new HttpError(400, 'bad_request', 'the body must be an object with a non-empty "events" array', issuesToFieldErrors(body.error, 'body'));
        }
        if (body.data.events.length > INGEST_LIMITS.maxEvents) {
          throw new HttpError(413, 'too_many_events', `at most ${INGEST_LIMITS.maxEvents} events per request (got ${body.data.events.length})`);
        }
        const principal = res.locals.principal as Principal;
        const policy = principal.kind === 'key' ? { onlyProject: principal.projectId, sources: principal.sources } : { sources: null };
        const result = await service.ingest(body.data.events, { policy, sentBy: sentByOf(principal) });
        res.status(result.rejected > 0 ? 207 : 200).json(result);
      } catch (err) {
        next(err);
      }
    },
  );
  return r;
}
