/** The epics module's surface: the only file of it that code outside the module imports. */
export { epicsProjection } from './epics.projection.js';
export { epicsRepository } from './epics.repository.js';
