import type { z } from 'zod';
import { errorBodySchema } from '../../contracts/index.js';

/** A failed API call, with the server's code and field errors when it gave them. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const API = '/api/v1';

async function request<T extends z.ZodType>(method: string, path: string, schema: T | null, body?: unknown): Promise<z.output<T>> {
  let res: Response;
  try {
    res = await fetch(`${API}${path}`, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network_error', 'the server could not be reached');
  }
  if (res.status === 204) return undefined as z.output<T>;
  const json: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const parsed = errorBodySchema.safeParse(json);
    if (parsed.success) throw new ApiError(res.status, parsed.data.error.code, parsed.data.error.message, parsed.data.error.fields);
    throw new ApiError(res.status, 'http_error', `the server answered ${res.status}`);
  }
  if (!schema) return json as z.output<T>;
  // The contracts are the single source of truth on both sides: a response that does not match is a bug to surface.
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ApiError(res.status, 'bad_response', `unexpected response from ${path}`);
  return parsed.data;
}

export const api = {
  get: <T extends z.ZodType>(path: string, schema: T) => request('GET', path, schema),
  post: <T extends z.ZodType>(path: string, body: unknown, schema: T | null) => request('POST', path, schema, body),
  put: <T extends z.ZodType>(path: string, body: unknown, schema: T | null) => request('PUT', path, schema, body),
  patch: <T extends z.ZodType>(path: string, body: unknown, schema: T | null) => request('PATCH', path, schema, body),
  delete: <T extends z.ZodType>(path: string, schema: T | null) => request('DELETE', path, schema),
};

export function queryString(params: Record<string, string | number | undefined | null | readonly string[]>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) {
      if (v.length > 0) q.set(k, v.join(','));
    } else q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
