import { changePasswordBodySchema, loginBodySchema, loginResponseSchema, meSchema, preferencesBodySchema } from '../api.js';
import { authProvidersSchema } from '../auth-providers.js';
import { endpoint } from './endpoint.js';

const tag = 'Sign-in';

export const authEndpoints = {
  login: endpoint({
    method: 'POST',
    path: '/auth/login',
    access: 'public',
    tag,
    summary: 'Sign in with email and password; sets the session cookie (and returns a token when issueToken is true)',
    description:
      'Sets an HttpOnly SameSite cookie and returns `{expiresAt, user}`; with `issueToken: true` (CLI, scripts) also `token`, which a browser never receives. Failed attempts are limited per address per minute (429 with Retry-After).',
    body: loginBodySchema,
    response: loginResponseSchema,
  }),
  logout: endpoint({ method: 'POST', path: '/auth/logout', access: 'session', tag, summary: 'End this session', response: null, status: 204 }),
  me: endpoint({ method: 'GET', path: '/auth/me', access: 'session', tag, summary: 'The signed-in person: name, role, preferences', response: meSchema }),
  changePassword: endpoint({
    method: 'POST',
    path: '/auth/me/password',
    access: 'session',
    tag,
    summary: 'Choose a new password (ends every other session)',
    description:
      'At least 12 characters; ends your other sessions. An account with a generated or invited password gets `403 password_change_required` everywhere else until it does.',
    body: changePasswordBodySchema,
    response: meSchema,
  }),
  setPreferences: endpoint({
    method: 'PUT',
    path: '/auth/me/preferences',
    access: 'session',
    tag,
    summary: 'Save display preferences (theme)',
    body: preferencesBodySchema,
    response: meSchema,
  }),
  providers: endpoint({
    method: 'GET',
    path: '/auth/providers',
    access: 'public',
    tag,
    summary: 'The single sign-on provider, if one is configured',
    response: authProvidersSchema,
  }),
  oidcLogin: endpoint({
    method: 'GET',
    path: '/auth/oidc/login',
    access: 'public',
    tag,
    summary: 'Start single sign-on: redirects (303) to the provider (only when one is configured)',
    response: null,
    status: 303,
  }),
  oidcCallback: endpoint({
    method: 'GET',
    path: '/auth/oidc/callback',
    access: 'public',
    tag,
    summary: "The provider's redirect back: signs in and redirects (303) to the app (only when single sign-on is configured)",
    response: null,
    status: 303,
  }),
};
