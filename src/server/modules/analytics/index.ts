/** The analytics module's surface: the only file of it that code outside the module imports. */
export { analyticsRepository } from './analytics.repository.js';
export { analyticsRoutes } from './analytics.routes.js';
export { AnalyticsService } from './analytics.service.js';
export type { OutlierSettings } from './outliers.js';
export { AgentRollupJob } from './rollup.job.js';
export type { RollupRunner } from './rollup.job.js';
export { RollupThread } from './rollup-thread/rollup-thread.js';
