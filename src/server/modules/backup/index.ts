/** The backup module's surface: the only file of it that code outside the module imports. */
export { backupRoutes } from './backup.routes.js';
export { BackupService } from './backup.service.js';
