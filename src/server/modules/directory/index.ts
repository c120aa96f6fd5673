/** The directory module's surface: the only file of it that code outside the module imports. */
export { directoryRoutes } from './directory.routes.js';
export { DirectoryService } from './directory.service.js';
