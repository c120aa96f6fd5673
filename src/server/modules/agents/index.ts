/** The agents module's surface: the only file of it that code outside the module imports. */
export { agentsProjection } from './agents.projection.js';
export { agentsRepository } from './agents.repository.js';
