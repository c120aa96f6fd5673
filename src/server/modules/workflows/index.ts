/** The workflows module's surface: the only file of it that code outside the module imports, with data.ts (its repositories alone). */
export { withCostAndSessions } from './run-cost.js';
export { runSignalsRepository } from './run-signals.repository.js';
export type { RunSignal, SessionSignal } from './run-signals.repository.js';
export { workflowSessionsRepository } from './workflow-sessions.repository.js';
export { workflowTransitionsProjection, workflowsProjection } from './workflows.projection.js';
export { workflowsRepository } from './workflows.repository.js';
export { workflowsRoutes } from './workflows.routes.js';
export { WorkflowsService } from './workflows.service.js';
