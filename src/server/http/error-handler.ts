import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ErrorBody } from '../../contracts/index.js';
import { storageFailureOf, StorageUnavailableError } from '../db/storage-failure.js';
import type { Logger } from '../observability/logger.js';
import { WriterOverloadedError, WriterThreadExitedError } from '../modules/events/index.js';
import { HttpError } from './errors.js';

/** body-parser's error types, mapped to what the client did wrong. */
const BODY_ERRORS: Record<string, [number, string, string]> = {
  'entity.parse.failed': [400, 'malformed_json', 'the request body is not valid JSON'],
  'entity.too.large': [413, 'payload_too_large', 'the request body is larger than this endpoint accepts'],
  'encoding.unsupported': [415, 'unsupported_encoding', 'the request body encoding is not supported'],
  'charset.unsupported': [415, 'unsupported_charset', 'the request body charset must be utf-8'],
  'request.aborted': [400, 'request_aborted', 'the request was aborted'],
  'request.size.invalid': [400, 'request_size_invalid', 'the request size did not match Content-Length'],
  'stream.encoding.set': [500, 'internal_error', 'internal error'],
};

function send(res: Parameters<ErrorRequestHandler>[2], status: number, body: ErrorBody, headers: Record<string, string> = {}) {
  if (res.headersSent) return;
  res.set(headers).status(status).json(body);
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (err instanceof HttpError) {
      return send(res, err.status, { error: { code: err.code, message: err.message, ...(err.fields ? { fields: err.fields } : {}) } }, err.headers);
    }
    const storage = err instanceof StorageUnavailableError ? err : storageFailureOf(err) ? new StorageUnavailableError(storageFailureOf(err)!, 30, err) : null;
    if (storage) {
      // 507 Insufficient Storage for a full disk; 503 for an I/O error. Either way nothing was stored.
      ((req as { log?: Logger }).log ?? logger).error({ err }, 'write refused: storage failing');
      return send(
        res,
        storage.kind === 'full' ? 507 : 503,
        { error: { code: storage.kind === 'full' ? 'insufficient_storage' : 'storage_unavailable', message: storage.message } },
        { 'Retry-After': String(storage.retryAfterSec) },
      );
    }
    if (err instanceof WriterThreadExitedError) {
      ((req as { log?: Logger }).log ?? logger).error({ err }, 'write refused: the writer thread stopped');
      return send(res, 503, { error: { code: 'writer_restarting', message: err.message } }, { 'Retry-After': '1' });
    }
    if (err instanceof WriterOverloadedError) {
      return send(res, 429, { error: { code: 'overloaded', message: `${err.message}; retry later` } }, { 'Retry-After': String(err.retryAfterSec) });
    }
    const type = (err as { type?: unknown } | null)?.type;
    if (typeof type === 'string' && BODY_ERRORS[type] && BODY_ERRORS[type][0] < 500) {
      const [status, code, message] = BODY_ERRORS[type];
      // body-parser tells the limit it enforced (64 KiB on most routes, 1 MiB on ingestion): say which.
      const limit = (err as { limit?: unknown }).limit;
      const exact =
        type === 'entity.too.large' && typeof limit === 'number'
          ? `${message} (${limit >= 1048576 ? `${limit / 1048576} MiB` : `${limit / 1024} KiB`})`
          : message;
      return send(res, status, { error: { code, message: exact } });
    }
    if (err instanceof URIError) {
      return send(res, 400, { error: { code: 'bad_request', message: 'the request path is not valid percent-encoding' } });
    }
    // A body that does not inflate (Content-Encoding gzip, deflate or br over bytes that are not) reaches us as zlib's
    // error, which body-parser marks as the client's (status 400, `expose`) but gives no type.
    const status = (err as { status?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500 && (err as { expose?: unknown }).expose === true) {
      return send(res, status, {
        error: {
          code: 'unreadable_body',
          message: `the request body could not be read (does Content-Encoding match it?): ${String((err as Error).message).slice(0, 200)}`,
        },
      });
    }
    ((req as { log?: Logger }).log ?? logger).error({ err }, 'unhandled error');
    return send(res, 500, { error: { code: 'internal_error', message: 'internal error; the request id is in the X-Request-Id header' } });
  };
}

export const apiNotFound: RequestHandler = (req, res) => {
  send(res, 404, { error: { code: 'not_found', message: `no route ${req.method} ${req.path}` } });
};
