import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ErrorBody } from '../../contracts/index.js';
import type { Logger } from '../observability/logger.js';
import { WriterOverloadedError } from '../modules/events/event-writer.js';
import { HttpError } from './errors.js';

/** body-parser's error types, mapped to what the client did wrong. */
const BODY_ERRORS: Record<string, [number, string, string]> = {
  'entity.parse.failed': [400, 'malformed_json', 'the request body is not valid JSON'],
  'entity.too.large': [413, 'payload_too_large', 'the request body is larger than 1 MiB'],
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
    if (err instanceof WriterOverloadedError) {
      return send(res, 429, { error: { code: 'overloaded', message: `${err.message}; retry later` } }, { 'Retry-After': String(err.retryAfterSec) });
    }
    const type = (err as { type?: unknown } | null)?.type;
    if (typeof type === 'string' && BODY_ERRORS[type] && BODY_ERRORS[type][0] < 500) {
      const [status, code, message] = BODY_ERRORS[type];
      return send(res, status, { error: { code, message } });
    }
    if (err instanceof URIError) {
      return send(res, 400, { error: { code: 'bad_request', message: 'the request path is not valid percent-encoding' } });
    }
    ((req as { log?: Logger }).log ?? logger).error({ err }, 'unhandled error');
    return send(res, 500, { error: { code: 'internal_error', message: 'internal error; the request id is in the X-Request-Id header' } });
  };
}

export const apiNotFound: RequestHandler = (req, res) => {
  send(res, 404, { error: { code: 'not_found', message: `no route ${req.method} ${req.path}` } });
};
