import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { adminAccountListSchema, adminKeyListSchema, auditPageSchema } from '../../../contracts/index.js';
import { api, ApiError, queryString } from '../../api/http.js';

/** Everything under Settings lives under one prefix: a change re-reads people, keys and the audit log together. */
export const adminKeys = {
  all: ['admin'] as const,
  users: ['admin', 'users'] as const,
  keys: ['admin', 'keys'] as const,
  audit: (f: AuditFilters) => ['admin', 'audit', f] as const,
};

export interface AuditFilters {
  action?: string | undefined;
  outcome?: 'success' | 'failure' | undefined;
  actorId?: string | undefined;
  targetId?: string | undefined;
  /** ISO instants (the page turns the chosen local days into them). */
  from?: string | undefined;
  to?: string | undefined;
}

export const AUDIT_PAGE_SIZE = 50;

/** A 403 (not a manager) or 422 will not go away by asking again. */
const retry = (n: number, e: Error) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && n < 2;

export const adminQueries = {
  users: () => queryOptions({ queryKey: adminKeys.users, queryFn: () => api.get('/admin/users', adminAccountListSchema), retry }),
  keys: () => queryOptions({ queryKey: adminKeys.keys, queryFn: () => api.get('/admin/keys', adminKeyListSchema), retry }),
  audit: (f: AuditFilters) =>
    infiniteQueryOptions({
      queryKey: adminKeys.audit(f),
      queryFn: ({ pageParam }) => api.get(`/admin/audit${queryString({ ...f, cursor: pageParam, pageSize: AUDIT_PAGE_SIZE })}`, auditPageSchema),
      initialPageParam: undefined as string | undefined,
      getNextPageParam: (last) => last.nextCursor ?? undefined,
      retry,
    }),
};

/** The server's field errors by field name ("body.email" → "email"), for messages next to the inputs. */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  return Object.fromEntries(error.fields.map((f) => [f.path.replace(/^body\./, '').replace(/\[\d+\]$/, ''), f.message]));
}
