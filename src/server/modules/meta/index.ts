/** The meta module's surface: the only file of it that code outside the module imports. */
export { metaRepository } from './meta.repository.js';
export { metaRoutes } from './meta.routes.js';
export { openApiRoutes } from './openapi.routes.js';
export { WorkspaceService } from './workspace.service.js';
