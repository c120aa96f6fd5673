import { randomUUID } from 'node:crypto';
import type { OidcErrorCode, Role } from '../../../../contracts/index.js';
import type { DatabaseHandle } from '../../../db/handle.js';
import { usersRepository, type Account } from '../users.repository.js';
import { identitiesRepository } from './identities.repository.js';

/**
 * The password hash of an account made by a provider sign-in: not a scrypt hash, so no password ever matches it, and
 * not null, so the row counts as an account (a manager can still give it a password with `bmad-ops user passwd`).
 */
export const NO_PASSWORD = 'oidc$no-password';

/** What the provider said about the person, after the ID token (and userinfo) were checked by openid-client. */
export interface ProviderPerson {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  displayName: string | null;
  /** The role the claim maps to; null when it maps to none and the default is `none`. */
  role: Role | null;
}

export type Resolution =
  { ok: true; account: Account; how: 'known' | 'linked' | 'created'; previousRole: Role } | { ok: false; reason: OidcErrorCode; accountId: string | null };

/**
 * Finds the local account of a provider's person: by issuer + subject; else the account with the same email, linked
 * only when the provider vouches for that email (`email_verified`); else a new account. The role follows the claim at
 * every sign-in, so a change at the provider lands at the next one. One transaction, so two first sign-ins of the same
 * person cannot both create an account.
 */
export async function resolveAccount(db: DatabaseHandle, person: ProviderPerson, now: string): Promise<Resolution> {
  return db.write.transaction().execute(async (trx): Promise<Resolution> => {
    const identity = await identitiesRepository.find(trx, person.issuer, person.subject);
    let account = identity ? await usersRepository.findAccountById(trx, identity.userId) : undefined;
    let how: 'known' | 'linked' | 'created' = 'known';
    if (!account) {
      if (!person.email) return { ok: false, reason: 'oidc_email_missing', accountId: null };
      const byEmail = await usersRepository.findAccountByEmail(trx, person.email);
      if (byEmail) {
        // Someone else may hold this address at the provider without owning it: only a verified email links.
        if (!person.emailVerified) return { ok: false, reason: 'oidc_email_unverified', accountId: byEmail.id };
        // Already linked to another person of this provider: the address changed hands there, so it proves nothing.
        if (await identitiesRepository.findForUser(trx, byEmail.id, person.issuer))
          return { ok: false, reason: 'oidc_identity_conflict', accountId: byEmail.id };
        account = byEmail;
        how = 'linked';
      } else {
        how = 'created';
      }
    }
    if (account?.disabledAt) return { ok: false, reason: 'oidc_account_disabled', accountId: account.id };
    if (person.role === null) return { ok: false, reason: 'oidc_no_role', accountId: account?.id ?? null };
    if (!account) {
      const id = randomUUID();
      await usersRepository.createAccount(trx, {
        id,
        email: person.email!,
        displayName: person.displayName,
        role: person.role,
        passwordHash: NO_PASSWORD,
        passwordChangeRequired: false,
        now,
      });
      account = (await usersRepository.findAccountById(trx, id))!;
    }
    const previousRole = account.role;
    if (account.role !== person.role) {
      await usersRepository.setRole(trx, account.id, person.role, now);
      account = { ...account, role: person.role };
    }
    if (how === 'known') await identitiesRepository.touch(trx, person.issuer, person.subject, person.email, now);
    else await identitiesRepository.insert(trx, { issuer: person.issuer, subject: person.subject, userId: account.id, email: person.email, now });
    return { ok: true, account, how, previousRole };
  });
}
