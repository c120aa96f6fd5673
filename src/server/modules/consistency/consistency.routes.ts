import { Router } from 'express';
import { API } from '../../../contracts/index.js';
import { mount } from '../../http/mount.js';
import type { ConsistencyMonitor } from './monitor/consistency-monitor.js';

/** The monitor's passes (anyone who reads), and a pass on demand (managers: it rebuilds every read model). */
export function consistencyRoutes(monitor: ConsistencyMonitor): Router {
  const r = Router();
  mount(r, API.insight.consistencyRuns, async ({ query }) => ({ items: await monitor.recentRuns(query.limit) }));
  mount(r, API.insight.verify, () => monitor.verify('manager'));
  return r;
}
