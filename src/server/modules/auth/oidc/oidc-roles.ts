import { ROLES, type Role } from '../../../../contracts/index.js';
import type { OidcConfig } from './oidc.config.js';

/**
 * The claim's values: a list (groups, roles) or one string. A name is looked up whole first, since providers such as
 * Auth0 require claim names that are URLs full of dots; only then as a dotted path (Keycloak's `realm_access.roles`).
 */
export function claimValues(claims: Record<string, unknown>, name: string): string[] {
  let value: unknown = Object.hasOwn(claims, name) ? claims[name] : undefined;
  if (value === undefined && name.includes('.')) {
    value = name
      .split('.')
      .reduce<unknown>(
        (node, key) => (node !== null && typeof node === 'object' && Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined),
        claims,
      );
  }
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The role the provider's claim gives: the highest mapped one, else the default; null means "refuse" (`none`). */
export function mapRole(claims: Record<string, unknown>, config: Pick<OidcConfig, 'roleClaim' | 'roleMap' | 'defaultRole'>): Role | null {
  let best = -1;
  for (const value of claimValues(claims, config.roleClaim)) {
    const role = Object.hasOwn(config.roleMap, value) ? config.roleMap[value] : undefined;
    if (role !== undefined) best = Math.max(best, ROLES.indexOf(role));
  }
  if (best >= 0) return ROLES[best]!;
  return config.defaultRole === 'none' ? null : config.defaultRole;
}
