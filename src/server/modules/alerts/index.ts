/** The alerts module's surface: the only file of it that code outside the module imports. */
export { alertChannelsProjection, alertRulesProjection } from './alert-config.projection.js';
export { alertConfigRepository } from './alert-config.repository.js';
export { createAlerts } from './alerts.module.js';
export type { Alerts } from './alerts.module.js';
export { alertsProjection } from './alerts.projection.js';
export { alertsRoutes } from './alerts.routes.js';
export type { AlertsServices } from './alerts.routes.js';
