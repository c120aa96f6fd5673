/** The history module's surface: the only file of it that code outside the module imports. */
export { flowRoutes } from './flow.routes.js';
export { FlowService } from './flow.service.js';
export { statusTransitionsProjection } from './status-transitions.projection.js';
export { statusTransitionsRepository } from './status-transitions.repository.js';
