import type { z } from 'zod';

/** Who may call an endpoint. `person`: a signed-in person who chose their own password (an API key has no read state). */
export const ACCESS_RULES = ['public', 'session', 'person', 'read', 'operate', 'manage', 'ingest', 'metrics'] as const;
export type AccessRule = (typeof ACCESS_RULES)[number];

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Where the REST API lives; OTLP and Prometheus paths sit at the root like any collector's or exporter's. */
export const API_BASE = '/api/v1';

export interface EndpointSpec {
  method: HttpMethod;
  /** Express-style, relative to `base`: `/projects/:id`. */
  path: `/${string}`;
  /** Defaults to API_BASE. */
  base?: typeof API_BASE | '';
  access: AccessRule;
  /** One line, shown in the API reference. */
  summary: string;
  /** The reference groups endpoints by tag. */
  tag: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** The JSON answer; null when the answer is not JSON (a redirect, 204, a file, text). */
  response: z.ZodType | null;
  /** The success status (200 unless said). */
  status?: 200 | 201 | 204 | 303;
  /** Content type of a non-JSON answer, for the reference. */
  produces?: string;
  /** Content types of a non-JSON request body, for the reference. */
  consumes?: readonly string[];
  /** More than the summary: limits, statuses worth knowing. */
  description?: string;
}

/** Declares one endpoint. The literal types survive, so the server and the browser client are typed from it. */
export const endpoint = <const E extends EndpointSpec>(spec: E): E => spec;

export const fullPath = (e: EndpointSpec): string => `${e.base ?? API_BASE}${e.path}`;

/** `GET /api/v1/projects/:id`: the key the guard table and the route table use. */
export const endpointKey = (e: EndpointSpec): string => `${e.method} ${fullPath(e)}`;

type Out<S> = S extends z.ZodType ? z.output<S> : never;

/** What a browser passes as a query: the parsed types (numbers, booleans, lists), every key optional as defaults apply. */
type QueryValue<V> = V extends readonly (infer U)[] ? readonly U[] : V;
export type ClientQuery<Q> = { [K in keyof Q]?: QueryValue<Q[K]> | undefined };

export type EndpointParams<E> = E extends { params: infer S } ? Out<S> : undefined;
export type EndpointQuery<E> = E extends { query: infer S } ? ClientQuery<Out<S>> : undefined;
export type EndpointBody<E> = E extends { body: infer S } ? (S extends z.ZodType ? z.input<S> : never) : undefined;
export type EndpointResponse<E> = E extends { response: infer S } ? (S extends z.ZodType ? z.output<S> : void) : void;

/** `/projects/:id/flow` + `{ id: 'p 1' }` → `/projects/p%201/flow`. */
export function fillPath(path: string, params: Record<string, string> | undefined): string {
  return path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const v = params?.[name];
    if (v === undefined) throw new Error(`missing path parameter ${name} for ${path}`);
    return encodeURIComponent(v);
  });
}

/** Lists as comma-separated values, booleans as true/false: exactly what the query schemas parse back. */
export function queryString(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) {
      if (v.length > 0) q.set(k, v.join(','));
    } else q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
