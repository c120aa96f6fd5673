/** The auth module's surface: the only file of it that code outside the module imports. */
export { authenticate, sessionCookieName } from './auth.middleware.js';
export { authRoutes } from './auth.routes.js';
export { AuthService, UnknownAccountError, UserExistsError } from './auth.service.js';
export type { AuditActor, EndedCredentials } from './auth.service.js';
export { apiKeysRepository, sessionsRepository } from './credentials.repository.js';
export type { ApiKeyRecord } from './credentials.repository.js';
export { OidcSignIn } from './oidc/oidc-sign-in.js';
export { OIDC_CALLBACK_PATH, OIDC_ENV_FIELDS, oidcConfigSchema, oidcSettings } from './oidc/oidc.config.js';
export { oidcRoutes } from './oidc/oidc.routes.js';
export { generatePassword } from './password.js';
export { denialReason, sentByOf } from './principal.js';
export type { Principal } from './principal.js';
export { usersRepository } from './users.repository.js';
export type { Account, UserRow } from './users.repository.js';
