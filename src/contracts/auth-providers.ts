import { z } from 'zod';

/** GET /api/v1/auth/providers (anonymous): how the login page may offer to sign in. */
export const authProvidersSchema = z.object({
  /** Sign-in with an OpenID Connect provider, when configured: the button's label and where it leads. */
  oidc: z.object({ name: z.string(), loginUrl: z.string() }).nullable(),
});
export type AuthProviders = z.infer<typeof authProvidersSchema>;

/**
 * Why an OpenID Connect sign-in was refused: the callback redirects to `/login?error=<code>` and the login page says it
 * in words. Codes only, so nothing the provider wrote reaches the page.
 */
export const OIDC_ERROR_CODES = [
  'oidc_expired',
  'oidc_state_mismatch',
  'oidc_denied',
  'oidc_unavailable',
  'oidc_failed',
  'oidc_email_missing',
  'oidc_email_unverified',
  'oidc_identity_conflict',
  'oidc_no_role',
  'oidc_account_disabled',
] as const;
export type OidcErrorCode = (typeof OIDC_ERROR_CODES)[number];
export const oidcErrorCodeSchema = z.enum(OIDC_ERROR_CODES);
