import { adminEndpoints } from './admin.endpoints.js';
import { alertsEndpoints } from './alerts.endpoints.js';
import { authEndpoints } from './auth.endpoints.js';
import type { EndpointSpec } from './endpoint.js';
import { insightEndpoints } from './insight.endpoints.js';
import { opsEndpoints } from './ops.endpoints.js';
import { workEndpoints } from './work.endpoints.js';

export * from './endpoint.js';

/**
 * Every HTTP endpoint, declared once: the server mounts routes from these (guard included), the browser's client is
 * typed by them, and /api/v1/openapi.json is generated from them.
 */
export const API = {
  auth: authEndpoints,
  admin: adminEndpoints,
  alerts: alertsEndpoints,
  work: workEndpoints,
  insight: insightEndpoints,
  ops: opsEndpoints,
} as const;

export const ENDPOINTS: readonly EndpointSpec[] = Object.values(API).flatMap((group) => Object.values(group) as EndpointSpec[]);
