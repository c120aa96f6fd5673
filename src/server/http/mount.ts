import type { RequestHandler, Router } from 'express';
import type { z } from 'zod';
import type { AccessRule, EndpointSpec } from '../../contracts/index.js';
import { requireAccess } from '../modules/auth/auth.middleware.js';
import { route, type RouteInput } from './route.js';

type Out<E, K extends string> = E extends { [k in K]: infer S }
  ? S extends z.ZodType
    ? z.output<S>
    : unknown
  : K extends 'body'
    ? unknown
    : Record<string, never>;

export type EndpointInput<E extends EndpointSpec> = RouteInput<Out<E, 'params'>, Out<E, 'query'>, Out<E, 'body'>>;
type Handler<E extends EndpointSpec> = (input: EndpointInput<E>) => Promise<unknown> | unknown;

/** The guard is the declaration's access rule: a route cannot be mounted without one, nor with a different one. */
export function guardOf(access: AccessRule): RequestHandler[] {
  switch (access) {
    case 'public':
      return [];
    case 'person':
      return [requireAccess('session'), requireAccess('read')];
    default:
      return [requireAccess(access)];
  }
}

const methodOf = (e: EndpointSpec) => e.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Mounts a catalogue endpoint: guard, then `before` (rate limits, cache headers), then the one validation step with
 * the declared schemas, then the handler. Its answer is sent as JSON with the declared status.
 */
export function mount<E extends EndpointSpec>(r: Router, e: E, handler: Handler<E>, before: RequestHandler[] = []): void {
  const schemas = { params: e.params, query: e.query, body: e.body } as Parameters<typeof route>[0];
  r[methodOf(e)](e.path, ...guardOf(e.access), ...before, route(schemas, handler as Parameters<typeof route>[1], e.status ?? 200));
}

/**
 * For the few endpoints that read their own body or answer with something other than JSON (ingestion, OTLP,
 * redirects): the guard still comes from the declaration.
 */
export function mountRaw(r: Router, e: EndpointSpec, ...handlers: RequestHandler[]): void {
  r[methodOf(e)](e.path, ...guardOf(e.access), ...handlers);
}
