/** The sync module's surface: the only file of it that code outside the module imports. */
export { syncProjection } from './sync.projection.js';
export { syncRepository } from './sync.repository.js';
export type { SyncRow } from './sync.repository.js';
export { syncRoutes } from './sync.routes.js';
export { SyncService, summarise } from './sync.service.js';
export type { StalenessOptions } from './sync.service.js';
