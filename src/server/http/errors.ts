import type { FieldError } from '../../contracts/index.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (what: string, id: string) => new HttpError(404, 'not_found', `${what} ${JSON.stringify(id)} does not exist`);
export const validationFailed = (fields: FieldError[]) => new HttpError(422, 'validation_failed', 'the request has invalid fields', fields);
export const unauthorized = (message = 'authentication required') => new HttpError(401, 'unauthorized', message, undefined, { 'WWW-Authenticate': 'Bearer' });
export const forbidden = (message: string) => new HttpError(403, 'forbidden', message);
export const tooManyRequests = (retryAfterSec: number, message: string) =>
  new HttpError(429, 'too_many_requests', message, undefined, { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSec))) });
