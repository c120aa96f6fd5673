import { Router } from 'express';
import { consistencyRunsQuerySchema } from '../../../contracts/index.js';
import { route } from '../../http/route.js';
import { requireAccess } from '../auth/auth.middleware.js';
import type { ConsistencyMonitor } from './monitor/consistency-monitor.js';

/** The monitor's passes (anyone who reads), and a pass on demand (managers: it rebuilds every read model). */
export function consistencyRoutes(monitor: ConsistencyMonitor): Router {
  const r = Router();
  r.get('/consistency/runs', route({ query: consistencyRunsQuerySchema }, async ({ query }) => ({ items: await monitor.recentRuns(query.limit) })));
  r.post(
    '/consistency/verify',
    requireAccess('manage'),
    route({}, () => monitor.verify('manager')),
  );
  return r;
}
