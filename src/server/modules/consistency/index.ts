/** The consistency module's surface: the only file of it that code outside the module imports. */
export { consistencyRunsRepository } from './consistency-runs.repository.js';
export { consistencyProjection } from './consistency.projection.js';
export { consistencyRepository } from './consistency.repository.js';
export { consistencyRoutes } from './consistency.routes.js';
export { ConsistencyMonitor } from './monitor/consistency-monitor.js';
export type { CrossViewServices } from './monitor/cross-view.js';
