import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/server/config.js';
import { mapRole } from '../../src/server/modules/auth/oidc/oidc-roles.js';
import { safeNext } from '../../src/server/modules/auth/oidc/oidc-sign-in.js';

const ON = {
  BMAD_OPS_OIDC_ISSUER: 'https://id.example.com/realms/team',
  BMAD_OPS_OIDC_CLIENT_ID: 'bmad-ops',
  BMAD_OPS_OIDC_REDIRECT_URL: 'https://ops.example.com/api/v1/auth/oidc/callback',
};

const problem = (env: NodeJS.ProcessEnv): string => {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('the configuration was accepted');
};

describe('OIDC configuration from the environment', () => {
  it('is off without an issuer, with the documented defaults', () => {
    expect(loadConfig({}).oidc).toEqual({ roleClaim: 'groups', roleMap: {}, defaultRole: 'viewer', name: 'SSO', scopes: ['openid', 'email', 'profile'] });
  });

  it('reads every variable', () => {
    const c = loadConfig({
      ...ON,
      BMAD_OPS_OIDC_CLIENT_SECRET: 's3cret',
      BMAD_OPS_OIDC_ROLE_CLAIM: 'realm_access.roles',
      BMAD_OPS_OIDC_ROLE_MAP: 'bmad-managers=manager, bmad-ops = operator,cn=ops=operator',
      BMAD_OPS_OIDC_DEFAULT_ROLE: 'none',
      BMAD_OPS_OIDC_NAME: 'Keycloak',
      BMAD_OPS_OIDC_SCOPES: 'email groups',
    }).oidc;
    expect(c).toEqual({
      issuer: ON.BMAD_OPS_OIDC_ISSUER,
      clientId: 'bmad-ops',
      clientSecret: 's3cret',
      redirectUrl: ON.BMAD_OPS_OIDC_REDIRECT_URL,
      roleClaim: 'realm_access.roles',
      roleMap: { 'bmad-managers': 'manager', 'bmad-ops': 'operator', 'cn=ops': 'operator' },
      defaultRole: 'none',
      name: 'Keycloak',
      scopes: ['openid', 'email', 'groups'],
    });
  });

  it('names the variable that is wrong or missing', () => {
    expect(problem({ BMAD_OPS_OIDC_ISSUER: ON.BMAD_OPS_OIDC_ISSUER })).toMatch(
      /BMAD_OPS_OIDC_ISSUER: needs BMAD_OPS_OIDC_CLIENT_ID[\s\S]*BMAD_OPS_OIDC_ISSUER: needs BMAD_OPS_OIDC_REDIRECT_URL/,
    );
    expect(problem({ ...ON, BMAD_OPS_OIDC_ISSUER: 'http://id.example.com' })).toMatch(/BMAD_OPS_OIDC_ISSUER: must be the provider's https:\/\/ issuer URL/);
    expect(problem({ ...ON, BMAD_OPS_OIDC_REDIRECT_URL: 'https://ops.example.com/callback' })).toMatch(
      /BMAD_OPS_OIDC_REDIRECT_URL: must be this server's public URL followed by \/api\/v1\/auth\/oidc\/callback/,
    );
    expect(problem({ ...ON, BMAD_OPS_OIDC_ROLE_MAP: 'bmad-managers=admin' })).toMatch(
      /BMAD_OPS_OIDC_ROLE_MAP: "bmad-managers=admin" must be <claim value>=<role> with a role among viewer, operator, manager/,
    );
    expect(problem({ ...ON, BMAD_OPS_OIDC_ROLE_MAP: 'a=viewer,a=manager' })).toMatch(/BMAD_OPS_OIDC_ROLE_MAP: "a" is mapped twice/);
    expect(problem({ ...ON, BMAD_OPS_OIDC_DEFAULT_ROLE: 'admin' })).toMatch(/BMAD_OPS_OIDC_DEFAULT_ROLE: /);
    expect(problem({ BMAD_OPS_OIDC_CLIENT_ID: 'x' })).toMatch(/BMAD_OPS_OIDC_CLIENT_ID: is set but BMAD_OPS_OIDC_ISSUER is not/);
  });

  it('never prints the client secret', () => {
    expect(problem({ ...ON, BMAD_OPS_OIDC_CLIENT_SECRET: 'very-secret', BMAD_OPS_OIDC_DEFAULT_ROLE: 'admin' })).not.toContain('very-secret');
  });

  it('allows plain HTTP only to a provider on this machine', () => {
    expect(loadConfig({ ...ON, BMAD_OPS_OIDC_ISSUER: 'http://127.0.0.1:9000' }).oidc.issuer).toBe('http://127.0.0.1:9000');
    expect(loadConfig({ ...ON, BMAD_OPS_OIDC_ISSUER: 'http://localhost:9000/realms/dev' }).oidc.issuer).toBe('http://localhost:9000/realms/dev');
  });
});

describe('role mapping', () => {
  const config = { roleClaim: 'groups', roleMap: { 'bmad-managers': 'manager', 'bmad-ops': 'operator' }, defaultRole: 'viewer' } as const;

  it('gives the highest mapped role, else the default, else none', () => {
    expect(mapRole({ groups: ['bmad-ops', 'bmad-managers'] }, config)).toBe('manager');
    expect(mapRole({ groups: 'bmad-ops' }, config)).toBe('operator');
    expect(mapRole({ groups: ['staff'] }, config)).toBe('viewer');
    expect(mapRole({}, config)).toBe('viewer');
    expect(mapRole({ groups: ['staff'] }, { ...config, defaultRole: 'none' })).toBeNull();
  });

  it('reads a claim named by a URL whole, and a nested one by its dotted path', () => {
    expect(mapRole({ 'https://ops.example.com/roles': ['bmad-ops'] }, { ...config, roleClaim: 'https://ops.example.com/roles' })).toBe('operator');
    expect(mapRole({ realm_access: { roles: ['bmad-managers'] } }, { ...config, roleClaim: 'realm_access.roles' })).toBe('manager');
    expect(mapRole({ groups: { toString: 'bmad-managers' } }, config)).toBe('viewer');
  });
});

describe('where to go after sign-in', () => {
  it('is a path on this site, or /workflows', () => {
    expect(safeNext('/costs?range=7d#x')).toBe('/costs?range=7d#x');
    for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example', 'costs', '/a b', undefined, ['/x']])
      expect(safeNext(bad)).toBe('/workflows');
  });
});
