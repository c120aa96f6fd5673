/** The projects module's surface: the only file of it that code outside the module imports. */
export { projectsProjection } from './projects.projection.js';
export { projectsRepository } from './projects.repository.js';
export { projectsRoutes } from './projects.routes.js';
export { ProjectsService } from './projects.service.js';
