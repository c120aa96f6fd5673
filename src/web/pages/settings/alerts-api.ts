import { queryOptions } from '@tanstack/react-query';
import { API } from '../../../contracts/index.js';
import { ApiError, call } from '../../api/http.js';
import { alertKeys } from '../../api/query-keys.js';

/** A 403 (not a manager) or 404 will not go away by asking again. */
const retry = (n: number, e: Error) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && n < 2;

export const alertQueries = {
  rules: () => queryOptions({ queryKey: alertKeys.rules, queryFn: () => call(API.alerts.rules), retry }),
  channels: () => queryOptions({ queryKey: alertKeys.channels, queryFn: () => call(API.alerts.channels), retry }),
  deliveries: (channelId: string) =>
    queryOptions({
      queryKey: alertKeys.deliveries(channelId),
      queryFn: () => call(API.alerts.deliveries, { params: { id: channelId }, query: { limit: 20 } }),
      retry,
    }),
};
