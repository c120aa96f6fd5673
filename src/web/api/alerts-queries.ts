import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { API } from '../../contracts/index.js';
import { call } from './http.js';
import { alertsKeys } from './query-keys.js';

export const NOTIFICATION_PAGE = 30;

export const notificationQueries = {
  unread: () => queryOptions({ queryKey: alertsKeys.unread, queryFn: () => call(API.alerts.unreadCount), staleTime: 30_000 }),
  list: () =>
    infiniteQueryOptions({
      queryKey: alertsKeys.list,
      queryFn: ({ pageParam }) => call(API.alerts.notifications, { query: { before: pageParam, limit: NOTIFICATION_PAGE } }),
      initialPageParam: undefined as number | undefined,
      // The cursor is a string of digits (an event id): the query declares it as the number it parses to.
      getNextPageParam: (last) => (last.nextCursor === null ? undefined : Number(last.nextCursor)),
    }),
};
