import { queryOptions } from '@tanstack/react-query';
import { alertChannelListSchema, alertDeliveryListSchema, alertRuleListSchema } from '../../../contracts/index.js';
import { alertsKeys } from '../../api/alerts-queries.js';
import { api, ApiError } from '../../api/http.js';

/**
 * Settings → Alerts lives under one prefix (alertsKeys.config, which live alert events re-read too): a change re-reads
 * rules and channels together (a rule names channels).
 */
export const alertKeys = {
  all: alertsKeys.config,
  rules: ['alerts-config', 'rules'] as const,
  channels: ['alerts-config', 'channels'] as const,
  deliveries: (channelId: string) => ['alerts-config', 'deliveries', channelId] as const,
};

/** A 403 (not a manager) or 404 will not go away by asking again. */
const retry = (n: number, e: Error) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && n < 2;

export const alertQueries = {
  rules: () => queryOptions({ queryKey: alertKeys.rules, queryFn: () => api.get('/alerts/rules', alertRuleListSchema), retry }),
  channels: () => queryOptions({ queryKey: alertKeys.channels, queryFn: () => api.get('/alerts/channels', alertChannelListSchema), retry }),
  deliveries: (channelId: string) =>
    queryOptions({ queryKey: alertKeys.deliveries(channelId), queryFn: () => api.get(`/alerts/channels/${encodeURIComponent(channelId)}/deliveries?limit=20`, alertDeliveryListSchema), retry }),
};
