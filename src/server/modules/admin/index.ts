/** The admin module's surface: the only file of it that code outside the module imports. */
export { AccountsService } from './accounts.service.js';
export { adminRoutes } from './admin.routes.js';
export { AuditService } from './audit.service.js';
export { KeysService } from './keys.service.js';
