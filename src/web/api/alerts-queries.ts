import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { notificationPageSchema, unreadCountSchema, type EventType } from '../../contracts/index.js';
import { api, queryString } from './http.js';

/** Query keys of the alerts feature: the live connection re-reads them when an alert event arrives. */
export const alertsKeys = {
  /** Settings → Alerts (rules, channels, delivery logs). */
  config: ['alerts-config'] as const,
  /** The bell: its count and its list. */
  notifications: ['notifications'] as const,
  unread: ['notifications', 'unread'] as const,
  list: ['notifications', 'list'] as const,
};

/** Which keys an alert event makes stale: a firing changes the list and the rules' "firing" counts; config the settings. */
export function alertKeysFor(types: readonly EventType[]): readonly (readonly string[])[] {
  const out: (readonly string[])[] = [];
  if (types.some((t) => t === 'alert.fired' || t === 'alert.resolved')) out.push(alertsKeys.notifications, alertsKeys.config);
  else if (types.some((t) => t.startsWith('alert.'))) out.push(alertsKeys.config);
  return out;
}

export const NOTIFICATION_PAGE = 30;

export const notificationQueries = {
  unread: () => queryOptions({ queryKey: alertsKeys.unread, queryFn: () => api.get('/alerts/notifications/unread-count', unreadCountSchema), staleTime: 30_000 }),
  list: () =>
    infiniteQueryOptions({
      queryKey: alertsKeys.list,
      queryFn: ({ pageParam }) => api.get(`/alerts/notifications${queryString({ before: pageParam, limit: NOTIFICATION_PAGE })}`, notificationPageSchema),
      initialPageParam: undefined as string | undefined,
      getNextPageParam: (last) => last.nextCursor ?? undefined,
    }),
};
