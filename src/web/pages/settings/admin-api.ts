import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { API } from '../../../contracts/index.js';
import { ApiError, call } from '../../api/http.js';
import { adminKeys } from '../../api/query-keys.js';
import type { AuditFilters } from '../../api/query-params.js';

export const AUDIT_PAGE_SIZE = 50;

/** A 403 (not a manager) or 422 will not go away by asking again. */
const retry = (n: number, e: Error) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && n < 2;

export const adminQueries = {
  users: () => queryOptions({ queryKey: adminKeys.users, queryFn: () => call(API.admin.users), retry }),
  keys: () => queryOptions({ queryKey: adminKeys.keys, queryFn: () => call(API.admin.keys), retry }),
  audit: (f: AuditFilters) =>
    infiniteQueryOptions({
      queryKey: adminKeys.audit(f),
      queryFn: ({ pageParam }) => call(API.admin.audit, { query: { ...f, cursor: pageParam, pageSize: AUDIT_PAGE_SIZE } }),
      initialPageParam: undefined as number | undefined,
      // The cursor is a string of digits (an audit entry id): the query declares it as the number it parses to.
      getNextPageParam: (last) => (last.nextCursor === null ? undefined : Number(last.nextCursor)),
      retry,
    }),
};

/** The server's field errors by field name ("body.email" → "email"), for messages next to the inputs. */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  return Object.fromEntries(error.fields.map((f) => [f.path.replace(/^body\./, '').replace(/\[\d+\]$/, ''), f.message]));
}
