import type { z } from 'zod';
import {
  API_BASE,
  errorBodySchema,
  fillPath,
  queryString,
  type EndpointBody,
  type EndpointParams,
  type EndpointQuery,
  type EndpointResponse,
  type EndpointSpec,
} from '../../contracts/index.js';

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

async function request<T extends z.ZodType>(method: string, base: string, path: string, schema: T | null, body?: unknown): Promise<z.output<T>> {
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
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

// [V]: not distributed, so a body that is a union (a discriminated union's input) stays one field of that union.
type Field<K extends string, V, Optional extends boolean> = [V] extends [undefined] ? unknown : Optional extends true ? { [k in K]?: V } : { [k in K]: V };

/** What a call to endpoint E takes: its path parameters and body when it declares them, its query (all optional). */
export type CallInput<E> = Field<'params', EndpointParams<E>, false> & Field<'query', EndpointQuery<E>, true> & Field<'body', EndpointBody<E>, false>;

/**
 * Calls a catalogue endpoint: the URL is built from its declared path and query, the answer parsed with its declared
 * response schema. The only way the web app talks to the REST API: no URL or parameter type is written by hand.
 */
export function call<E extends EndpointSpec>(
  e: E,
  ...args: object extends CallInput<E> ? [input?: CallInput<E>] : [input: CallInput<E>]
): Promise<EndpointResponse<E>> {
  const input = (args[0] ?? {}) as { params?: Record<string, string>; query?: Record<string, unknown>; body?: unknown };
  const path = `${fillPath(e.path, input.params)}${queryString(input.query)}`;
  const body = e.body ? input.body : e.method === 'GET' || e.method === 'DELETE' ? undefined : {};
  return request(e.method, e.base ?? API_BASE, path, e.response, body) as Promise<EndpointResponse<E>>;
}
