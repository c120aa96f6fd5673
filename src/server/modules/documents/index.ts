/** The documents module's surface: the only file of it that code outside the module imports. */
export { DocumentRoots } from './document-roots.js';
export { documentsProjection } from './documents.projection.js';
export { documentsRepository } from './documents.repository.js';
export { documentsRoutes } from './documents.routes.js';
export { DocumentsService } from './documents.service.js';
