import { z } from 'zod';
import { ROLES, roleSchema, type Role } from '../../../../contracts/index.js';

/** The path the provider sends people back to; the redirect URL must end with it. */
export const OIDC_CALLBACK_PATH = '/api/v1/auth/oidc/callback';
export const OIDC_LOGIN_PATH = '/api/v1/auth/oidc/login';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** Plain HTTP only to a provider on this machine: anywhere else, tokens and the discovery document must come over TLS. */
export const isLoopbackUrl = (url: URL): boolean => LOOPBACK_HOSTS.has(url.hostname);

const issuerSchema = z
  .string()
  .trim()
  .refine((v) => {
    const u = parseUrl(v);
    return u !== undefined && (u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackUrl(u))) && !u.search && !u.hash;
  }, "must be the provider's https:// issuer URL (as in its /.well-known/openid-configuration), without query or fragment; http:// only for localhost");

const redirectUrlSchema = z
  .string()
  .trim()
  .refine((v) => {
    const u = parseUrl(v);
    return u !== undefined && (u.protocol === 'https:' || u.protocol === 'http:') && u.pathname.endsWith(OIDC_CALLBACK_PATH) && !u.search && !u.hash;
  }, `must be this server's public URL followed by ${OIDC_CALLBACK_PATH} (registered at the provider as a redirect URI)`);

const ROLE_WORDS = ROLES.join(', ');

/**
 * `group=role,group2=role2` (BMAD_OPS_OIDC_ROLE_MAP). A claim value may itself contain "=" (`cn=ops`), so the role is
 * what follows the last one; values with a comma cannot be mapped from the environment.
 */
function parseRoleMap(value: string, addIssue: (message: string) => void): Record<string, Role> {
  const map: Record<string, Role> = {};
  for (const entry of value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const eq = entry.lastIndexOf('=');
    const claimValue = eq > 0 ? entry.slice(0, eq).trim() : '';
    const role = roleSchema.safeParse(eq > 0 ? entry.slice(eq + 1).trim() : '');
    if (!claimValue || !role.success) addIssue(`"${entry}" must be <claim value>=<role> with a role among ${ROLE_WORDS}`);
    else if (Object.hasOwn(map, claimValue)) addIssue(`"${claimValue}" is mapped twice`);
    else map[claimValue] = role.data;
  }
  return map;
}

const roleMapSchema = z.union([z.string(), z.record(z.string().min(1), roleSchema)]).transform((v, ctx) => {
  if (typeof v !== 'string') return v;
  let failed = false;
  const map = parseRoleMap(v, (message) => {
    failed = true;
    ctx.addIssue({ code: 'custom', message });
  });
  return failed ? z.NEVER : map;
});

/** Space- or comma-separated (env) or a list (code); `openid` is always asked for, since OIDC needs it. */
const scopesSchema = z.union([z.string(), z.array(z.string().min(1))]).transform((v) => {
  const list = typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : v;
  return [...new Set(['openid', ...list])];
});

/**
 * Sign-in with an OpenID Connect provider (the architecture's identity-provider seam). Off while `issuer` is unset.
 * Environment: BMAD_OPS_OIDC_ISSUER, _CLIENT_ID, _CLIENT_SECRET, _REDIRECT_URL, _ROLE_CLAIM, _ROLE_MAP, _DEFAULT_ROLE,
 * _NAME, _SCOPES.
 */
export const oidcConfigSchema = z
  .object({
    issuer: issuerSchema.optional(),
    clientId: z.string().trim().min(1).optional(),
    /** Absent: a public client, which PKCE alone protects (every sign-in uses PKCE anyway). */
    clientSecret: z.string().min(1).optional(),
    redirectUrl: redirectUrlSchema.optional(),
    /** The ID token or userinfo claim holding the person's groups or roles; a dotted path reaches a nested one. */
    roleClaim: z.string().trim().min(1).default('groups'),
    /** Claim value → role; a person in several mapped groups gets the highest of their roles. */
    roleMap: roleMapSchema.default({}),
    /** For people none of whose claim values is mapped: a role, or `none` to refuse them. */
    defaultRole: z.enum([...ROLES, 'none']).default('viewer'),
    /** The login button says "Sign in with <name>". */
    name: z.string().trim().min(1).max(40).default('SSO'),
    scopes: scopesSchema.default(['openid', 'email', 'profile']),
  })
  .superRefine((o, ctx) => {
    if (o.issuer === undefined) {
      for (const key of ['clientId', 'clientSecret', 'redirectUrl'] as const) {
        if (o[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'is set but BMAD_OPS_OIDC_ISSUER is not' });
      }
      return;
    }
    if (o.clientId === undefined)
      ctx.addIssue({ code: 'custom', path: ['issuer'], message: 'needs BMAD_OPS_OIDC_CLIENT_ID too (the client registered at the provider)' });
    if (o.redirectUrl === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['issuer'],
        message: `needs BMAD_OPS_OIDC_REDIRECT_URL too (this server's public URL + ${OIDC_CALLBACK_PATH}, registered at the provider)`,
      });
    }
  });

export type OidcConfig = z.output<typeof oidcConfigSchema>;

/** A configuration that turns sign-in with OIDC on: the fields the flow cannot do without are present. */
export type OidcSettings = OidcConfig & { issuer: string; clientId: string; redirectUrl: string };

export function oidcSettings(config: OidcConfig): OidcSettings | undefined {
  const { issuer, clientId, redirectUrl } = config;
  return issuer !== undefined && clientId !== undefined && redirectUrl !== undefined ? { ...config, issuer, clientId, redirectUrl } : undefined;
}

/** Environment variables of this module and the config field each sets (for config.ts's ENV_FIELDS). */
export const OIDC_ENV_FIELDS: [string, string[]][] = [
  ['BMAD_OPS_OIDC_ISSUER', ['oidc', 'issuer']],
  ['BMAD_OPS_OIDC_CLIENT_ID', ['oidc', 'clientId']],
  ['BMAD_OPS_OIDC_CLIENT_SECRET', ['oidc', 'clientSecret']],
  ['BMAD_OPS_OIDC_REDIRECT_URL', ['oidc', 'redirectUrl']],
  ['BMAD_OPS_OIDC_ROLE_CLAIM', ['oidc', 'roleClaim']],
  ['BMAD_OPS_OIDC_ROLE_MAP', ['oidc', 'roleMap']],
  ['BMAD_OPS_OIDC_DEFAULT_ROLE', ['oidc', 'defaultRole']],
  ['BMAD_OPS_OIDC_NAME', ['oidc', 'name']],
  ['BMAD_OPS_OIDC_SCOPES', ['oidc', 'scopes']],
];
