import { useQuery } from '@tanstack/react-query';
import { API, oidcErrorCodeSchema, type OidcErrorCode } from '../../contracts/index.js';
import { call } from '../api/http.js';
import { keys } from '../api/query-keys.js';

/** What the server's `/login?error=<code>` means, in words; the provider's own text never reaches the page. */
const MESSAGES: Record<OidcErrorCode, string> = {
  oidc_expired: 'That sign-in took too long or was started in another browser. Please try again.',
  oidc_state_mismatch: 'That sign-in could not be verified as the one this browser started. Please try again.',
  oidc_denied: 'The sign-in was cancelled or refused at the identity provider.',
  oidc_unavailable: 'The identity provider cannot be reached right now. Try again in a moment, or sign in with your password.',
  oidc_failed: "The identity provider's answer could not be verified. Try again; if it keeps happening, tell your administrator.",
  oidc_email_missing: 'The identity provider gave no email address for you, and BMAD Ops needs one.',
  oidc_email_unverified: 'An account with your email address exists, but the identity provider has not verified that address, so it cannot be linked.',
  oidc_identity_conflict: 'The account with your email address is already linked to someone else at the identity provider. Ask a manager.',
  oidc_no_role: 'You are in no group that gives access to BMAD Ops. Ask your administrator for access.',
  oidc_account_disabled: 'Your BMAD Ops account is disabled. Ask a manager to enable it.',
};

export function providerErrorMessage(code: string | null): string | null {
  const parsed = oidcErrorCodeSchema.safeParse(code);
  return parsed.success ? MESSAGES[parsed.data] : null;
}

/** Same-site paths only, as after a password sign-in (the server checks again). */
const sameSitePath = (next: string | null) => (next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : null);

/**
 * "Sign in with <provider>" when the server has an OpenID Connect provider: a plain link, since the browser itself must
 * go to the provider and come back.
 */
export function ProviderSignIn({ next }: { next: string | null }) {
  const providers = useQuery({ queryKey: keys.authProviders, queryFn: () => call(API.auth.providers), staleTime: 300_000, retry: false });
  const oidc = providers.data?.oidc;
  if (!oidc) return null;
  const path = sameSitePath(next);
  return (
    <>
      <a
        href={path ? `${oidc.loginUrl}?next=${encodeURIComponent(path)}` : oidc.loginUrl}
        className="block w-full rounded border border-border bg-bg px-3 py-2 text-center font-semibold hover:bg-surface"
      >
        Sign in with {oidc.name}
      </a>
      <p className="flex items-center gap-2 text-xs text-muted" aria-hidden="true">
        <span className="h-px flex-1 bg-border" />
        or with your password
        <span className="h-px flex-1 bg-border" />
      </p>
    </>
  );
}
