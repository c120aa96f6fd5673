/** The health module's surface: the only file of it that code outside the module imports. */
export { healthRoutes } from './health.routes.js';
export { HealthService } from './health.service.js';
