/** The audit module's surface: the only file of it that code outside the module imports. */
export { auditRepository } from './audit.repository.js';
export type { AuditEntry, AuditFilter, StoredAuditEntry } from './audit.repository.js';
