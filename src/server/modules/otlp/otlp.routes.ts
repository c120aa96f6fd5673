import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { API } from '../../../contracts/index.js';
import { HttpError } from '../../http/errors.js';
import { mountRaw } from '../../http/mount.js';
import { limiter } from '../../http/rate-limit.js';
import type { Logger } from '../../observability/logger.js';
import { authenticate } from '../auth/index.js';
import type { AuthService } from '../auth/index.js';
import { WriterOverloadedError } from '../events/index.js';
import { StorageUnavailableError } from '../../db/storage-failure.js';
import { encodeResponse, encodeStatus, OtlpDecodeError, type OtlpEncoding, type OtlpSignal } from './otlp-codec.js';
import type { OtlpService } from './otlp.service.js';

/** Decoded (after gzip) body size past which an export is refused with 413: Claude Code's batches are a few KiB. */
export const OTLP_MAX_BODY_BYTES = 4 * 1024 * 1024;

const PROTOBUF = 'application/x-protobuf';

function encodingOf(req: Request): OtlpEncoding | null {
  if (req.is(PROTOBUF)) return 'protobuf';
  if (req.is('application/json')) return 'json';
  return null;
}

/** HTTP status → google.rpc.Code, for the Status body OTLP/HTTP error responses carry. */
const RPC_CODE: Record<number, number> = { 400: 3, 401: 16, 403: 7, 413: 8, 415: 3, 429: 8, 500: 13, 503: 14 };

function sendStatus(res: Response, status: number, message: string, headers: Record<string, string> = {}) {
  if (res.headersSent) return;
  const encoding = (res.locals.otlpEncoding as OtlpEncoding | undefined) ?? 'json';
  res.set(headers).status(status);
  const body = encodeStatus(encoding, RPC_CODE[status] ?? 2, message);
  if (Buffer.isBuffer(body)) res.type(PROTOBUF).send(body);
  else res.json(body);
}

/**
 * The OTLP/HTTP receiver: `POST /v1/metrics` and `POST /v1/logs` on the server's own port, protobuf or JSON, gzip or
 * not, with an ingest key as `Authorization: Bearer` (what OTEL_EXPORTER_OTLP_HEADERS sets). Answers as the OTLP spec
 * says: 200 with `partial_success` naming what was rejected, 400 for an undecodable body, 401/403, 413, 415, and 429 /
 * 503 with Retry-After (the exporters retry those).
 */
export function otlpRoutes(service: OtlpService, auth: AuthService, logger: Logger, opts: { rateLimitPerSecond: number; onLimited: () => void }): Router {
  const r = Router();
  const remember: RequestHandler = (req, res, next) => {
    // Errors answer in the request's encoding; an unsupported one gets JSON.
    res.locals.otlpEncoding = encodingOf(req) ?? 'json';
    next();
  };
  const contentType: RequestHandler = (req, _res, next) => {
    if (!encodingOf(req))
      return next(
        new HttpError(415, 'unsupported_media_type', `OTLP/HTTP bodies are ${PROTOBUF} or application/json (got ${req.get('content-type') ?? 'none'})`),
      );
    next();
  };
  const body = express.raw({ type: () => true, limit: OTLP_MAX_BODY_BYTES, inflate: true });
  const endpoints = { metrics: API.ops.otlpMetrics, logs: API.ops.otlpLogs } as const satisfies Record<OtlpSignal, unknown>;
  for (const signal of ['metrics', 'logs'] as const satisfies readonly OtlpSignal[]) {
    // Authentication first (this path is outside /api/v1), then the declared guard.
    r.use(endpoints[signal].path, remember, authenticate(auth));
    mountRaw(
      r,
      endpoints[signal],
      limiter({
        windowMs: 1000,
        limit: opts.rateLimitPerSecond,
        key: 'principal',
        message: 'ingest rate limit reached for this key',
        onLimited: opts.onLimited,
      }),
      contentType,
      body,
      async (req, res, next) => {
        try {
          const encoding = res.locals.otlpEncoding as OtlpEncoding;
          const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
          const partial = await service.export(signal, encoding, raw, res.locals.principal);
          const out = encodeResponse(signal, encoding, partial);
          res.status(200);
          if (Buffer.isBuffer(out)) res.type(PROTOBUF).send(out);
          else res.json(out);
        } catch (err) {
          next(err);
        }
      },
    );
  }
  const errors: ErrorRequestHandler = (err, req, res, _next) => {
    if (err instanceof OtlpDecodeError) return sendStatus(res, 400, err.message);
    if (err instanceof HttpError) return sendStatus(res, err.status, err.message, err.headers);
    if (err instanceof WriterOverloadedError) return sendStatus(res, 503, `${err.message}; retry later`, { 'Retry-After': String(err.retryAfterSec) });
    // 503, not 507: OTLP exporters retry 429/502/503/504 only, and a full disk is worth their retry.
    if (err instanceof StorageUnavailableError) return sendStatus(res, 503, err.message, { 'Retry-After': String(err.retryAfterSec) });
    const type = (err as { type?: unknown } | null)?.type;
    if (type === 'entity.too.large') return sendStatus(res, 413, `the body is larger than ${OTLP_MAX_BODY_BYTES / 1024 / 1024} MiB (after decompression)`);
    if (type === 'encoding.unsupported') return sendStatus(res, 415, 'the body encoding must be gzip or none (Content-Encoding)');
    const status = (err as { status?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500)
      return sendStatus(res, status, 'the body could not be read (a corrupt gzip stream or an aborted request)');
    ((req as { log?: Logger }).log ?? logger).error({ err }, 'OTLP export failed');
    return sendStatus(res, 500, 'internal error; the request id is in the X-Request-Id header');
  };
  r.use('/v1', errors);
  return r;
}
