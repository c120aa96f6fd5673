import { randomUUID } from 'node:crypto';
import type { KeyScope, Me, Role } from '../../../contracts/index.js';
import type { Clock } from '../../clock.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { auditRepository, type AuditEntry } from '../audit/index.js';
import { apiKeysRepository, sessionsRepository } from './credentials.repository.js';
import { generatePassword, hashPassword, needsRehash, verifyPassword } from './password.js';
import type { Principal } from './principal.js';
import { newApiKey, newSessionToken, parseApiKey, safeEqual, sha256, SESSION_PREFIX } from './tokens.js';
import { usersRepository, type Account } from './users.repository.js';

export interface AuthOptions {
  sessionTtlHours: number;
  scryptCostLog2: number;
}

export class UserExistsError extends Error {
  constructor(email: string) {
    super(`an account with email ${email} already exists`);
    this.name = 'UserExistsError';
  }
}

export class UnknownAccountError extends Error {
  constructor(email: string) {
    super(`no account with email ${email.trim().toLowerCase()}`);
    this.name = 'UnknownAccountError';
  }
}

/** Who made a change, for the audit log; `ip` when it came over HTTP. */
export type AuditActor = Pick<AuditEntry, 'actorType' | 'actorId' | 'ip'>;

/**
 * Credentials that stopped being valid in this process (sessions ended, a key revoked): the realtime gateway closes
 * their open sockets at once instead of at its periodic re-check. The CLI runs in another process, so what it ends is
 * still noticed only at that periodic check.
 */
export type EndedCredentials = { kind: 'user'; userId: string } | { kind: 'key'; keyId: string };

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

function toMe(a: Account): Me {
  return { id: a.id, email: a.email, displayName: a.displayName, role: a.role, preferences: a.preferences, passwordChangeRequired: a.passwordChangeRequired };
}

export class WrongPasswordError extends Error {
  constructor() {
    super('the current password is wrong');
    this.name = 'WrongPasswordError';
  }
}

export class AuthService {
  /** A hash to verify against when the email is unknown, so both paths cost the same time. */
  private decoyHash: Promise<string>;
  private readonly endedListeners = new Set<(ended: EndedCredentials) => void>();

  constructor(
    private readonly db: DatabaseHandle,
    readonly clock: Clock,
    private readonly opts: AuthOptions,
  ) {
    this.decoyHash = hashPassword(generatePassword(), opts.scryptCostLog2);
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  /** Subscribes to credentials ended in this process; returns the unsubscribe function. */
  onCredentialsEnded(listener: (ended: EndedCredentials) => void): () => void {
    this.endedListeners.add(listener);
    return () => this.endedListeners.delete(listener);
  }

  /**
   * Listeners in this process hear at once; the stored credentials version tells a server running in another process
   * (this one being the CLI) to re-check its open sockets at its next poll, seconds later.
   */
  private async credentialsEnded(ended: EndedCredentials): Promise<void> {
    await apiKeysRepository.bumpCredentialsVersion(this.db.write);
    for (const listener of this.endedListeners) listener(ended);
  }

  /** Changes whenever an account or key loses access, in any process using this database. */
  credentialsVersion(): Promise<number> {
    return apiKeysRepository.credentialsVersion(this.db.read);
  }

  audit(entry: Omit<AuditEntry, 'occurredAt'>): Promise<void> {
    return auditRepository.insert(this.db.write, { ...entry, occurredAt: this.now() });
  }

  /** A generated password, or one marked `temporary` (an invite), must be replaced by its owner at first sign-in. */
  async createUser(
    input: { email: string; role: Role; password?: string; displayName?: string | null; temporary?: boolean },
    actor: AuditActor,
  ): Promise<{ id: string; password: string; generated: boolean }> {
    const email = input.email.trim().toLowerCase();
    if (await usersRepository.findAccountByEmail(this.db.write, email)) throw new UserExistsError(email);
    const password = input.password ?? generatePassword();
    const id = randomUUID();
    await usersRepository.createAccount(this.db.write, {
      id,
      email,
      displayName: input.displayName ?? null,
      role: input.role,
      passwordHash: await hashPassword(password, this.opts.scryptCostLog2),
      passwordChangeRequired: input.password === undefined || input.temporary === true,
      now: this.now(),
    });
    await this.audit({ ...actor, action: 'user.create', targetType: 'user', targetId: id, outcome: 'success', details: { email, role: input.role } });
    return { id, password, generated: input.password === undefined };
  }

  /** On a database with no accounts, creates the first manager. Returns its credentials, or undefined if not needed. */
  async ensureBootstrapAdmin(
    email: string | undefined,
    password: string | undefined,
  ): Promise<{ email: string; password: string; generated: boolean } | undefined> {
    if ((await usersRepository.countAccounts(this.db.write)) > 0) return undefined;
    const adminEmail = (email ?? 'admin@localhost').toLowerCase();
    const created = await this.createUser(
      { email: adminEmail, role: 'manager', displayName: 'Administrator', ...(password ? { password } : {}) },
      { actorType: 'system', actorId: null },
    );
    return { email: adminEmail, password: created.password, generated: created.generated };
  }

  /**
   * `projectId`: bind an ingest key to one project. `sources`: the event sources it may write; null (the default for
   * programmatic callers) lets it write any but the server's own — `bmad-ops key create` always binds them.
   */
  async createApiKey(
    name: string,
    scopes: KeyScope[],
    actor: AuditActor,
    opts: { projectId?: string | null; sources?: readonly string[] | null; expiresAt?: string | null } = {},
  ): Promise<{ id: string; key: string }> {
    const k = newApiKey();
    const projectId = opts.projectId ?? null;
    const sources = opts.sources ?? null;
    const expiresAt = opts.expiresAt ?? null;
    await apiKeysRepository.insert(this.db.write, {
      id: k.id,
      name,
      scopes,
      secretHash: sha256(k.secret),
      createdBy: actor.actorId,
      now: this.now(),
      projectId,
      sources,
      expiresAt,
    });
    await this.audit({
      ...actor,
      action: 'key.create',
      targetType: 'api_key',
      targetId: k.id,
      outcome: 'success',
      details: { name, scopes, ...(projectId ? { projectId } : {}), ...(sources ? { sources } : {}), ...(expiresAt ? { expiresAt } : {}) },
    });
    return { id: k.id, key: k.key };
  }

  async revokeApiKey(id: string, actor: AuditActor): Promise<boolean> {
    const revoked = await apiKeysRepository.revoke(this.db.write, id, this.now());
    await this.audit({ ...actor, action: 'key.revoke', targetType: 'api_key', targetId: id, outcome: revoked ? 'success' : 'failure' });
    if (revoked) await this.credentialsEnded({ kind: 'key', keyId: id });
    return revoked;
  }

  listAccounts() {
    return usersRepository.listAccounts(this.db.read);
  }

  private async account(email: string): Promise<Account> {
    const a = await usersRepository.findAccountByEmail(this.db.write, email.trim().toLowerCase());
    if (!a) throw new UnknownAccountError(email);
    return a;
  }

  async setRole(email: string, role: Role, actor: AuditActor): Promise<void> {
    const a = await this.account(email);
    await usersRepository.setRole(this.db.write, a.id, role, this.now());
    await this.audit({ ...actor, action: 'user.set_role', targetType: 'user', targetId: a.id, outcome: 'success', details: { from: a.role, to: role } });
  }

  /**
   * A new password ends every session of the account: whoever knew the old one is signed out. `temporary` (a manager's
   * reset): the owner must replace it at the next sign-in, like an invite's.
   */
  async setPassword(email: string, password: string, actor: AuditActor, opts: { temporary?: boolean } = {}): Promise<number> {
    const a = await this.account(email);
    const temporary = opts.temporary === true;
    await usersRepository.setPasswordHash(this.db.write, a.id, await hashPassword(password, this.opts.scryptCostLog2), this.now(), temporary);
    const ended = await sessionsRepository.deleteForUser(this.db.write, a.id);
    await this.audit({
      ...actor,
      action: temporary ? 'user.reset_password' : 'user.set_password',
      targetType: 'user',
      targetId: a.id,
      outcome: 'success',
      details: { sessionsEnded: ended },
    });
    await this.credentialsEnded({ kind: 'user', userId: a.id });
    return ended;
  }

  /**
   * A person replacing their own password: the current one proves it is them (a stolen session alone cannot lock the
   * owner out). Every other session of theirs ends; the one that asked stays signed in.
   */
  async changeOwnPassword(principal: Extract<Principal, { kind: 'user' }>, current: string, next: string, meta: RequestMeta): Promise<Me> {
    const a = await usersRepository.findAccountById(this.db.write, principal.userId);
    if (!a) throw new UnknownAccountError(principal.userId);
    if (!(await verifyPassword(current, a.passwordHash))) {
      await this.audit({
        actorType: 'user',
        actorId: a.id,
        action: 'user.change_password',
        targetType: 'user',
        targetId: a.id,
        outcome: 'failure',
        ip: meta.ip,
      });
      throw new WrongPasswordError();
    }
    await usersRepository.setPasswordHash(this.db.write, a.id, await hashPassword(next, this.opts.scryptCostLog2), this.now(), false);
    const ended = await sessionsRepository.deleteForUser(this.db.write, a.id, principal.sessionId);
    await this.audit({
      actorType: 'user',
      actorId: a.id,
      action: 'user.change_password',
      targetType: 'user',
      targetId: a.id,
      outcome: 'success',
      ip: meta.ip,
      details: { sessionsEnded: ended },
    });
    if (ended > 0) await this.credentialsEnded({ kind: 'user', userId: a.id });
    return toMe({ ...a, passwordChangeRequired: false });
  }

  /** Disabling ends the account's sessions at once (and, in this process, its open sockets: see EndedCredentials). */
  async setDisabled(email: string, disabled: boolean, actor: AuditActor): Promise<number> {
    const a = await this.account(email);
    await usersRepository.setDisabled(this.db.write, a.id, disabled ? this.now() : null, this.now());
    const ended = disabled ? await sessionsRepository.deleteForUser(this.db.write, a.id) : 0;
    await this.audit({
      ...actor,
      action: disabled ? 'user.disable' : 'user.enable',
      targetType: 'user',
      targetId: a.id,
      outcome: 'success',
      details: { sessionsEnded: ended },
    });
    if (disabled) await this.credentialsEnded({ kind: 'user', userId: a.id });
    return ended;
  }

  async revokeSessions(email: string, actor: AuditActor): Promise<number> {
    const a = await this.account(email);
    const ended = await sessionsRepository.deleteForUser(this.db.write, a.id);
    await this.audit({ ...actor, action: 'user.revoke_sessions', targetType: 'user', targetId: a.id, outcome: 'success', details: { sessionsEnded: ended } });
    await this.credentialsEnded({ kind: 'user', userId: a.id });
    return ended;
  }

  /** Display names of the credentials events were sent with (`key:<id>` → "API key “name”"). */
  async senderNames(sentBy: readonly string[]): Promise<Map<string, string>> {
    const keyIds = sentBy.filter((s) => s.startsWith('key:')).map((s) => s.slice(4));
    const names = await apiKeysRepository.namesByIds(this.db.read, keyIds.slice(0, 500));
    return new Map([...names].map(([id, name]) => [`key:${id}`, `API key “${name}”`]));
  }

  listApiKeys() {
    return apiKeysRepository.list(this.db.read);
  }

  async login(emailInput: string, password: string, meta: RequestMeta): Promise<{ token: string; expiresAt: string; user: Me } | undefined> {
    const email = emailInput.trim().toLowerCase();
    const account = await usersRepository.findAccountByEmail(this.db.read, email);
    const ok = await verifyPassword(password, account?.passwordHash ?? (await this.decoyHash));
    if (!account || !ok || account.disabledAt !== null) {
      await this.audit({
        actorType: 'anonymous',
        actorId: account?.id ?? null,
        action: 'auth.login',
        targetType: 'user',
        targetId: account?.id ?? null,
        outcome: 'failure',
        ip: meta.ip,
        details: { email },
      });
      return undefined;
    }
    if (needsRehash(account.passwordHash, this.opts.scryptCostLog2)) {
      // The password is known only now: the stored hash is brought up to today's cost.
      await usersRepository.setPasswordHash(this.db.write, account.id, await hashPassword(password, this.opts.scryptCostLog2), this.now());
    }
    return this.openSession(account, meta);
  }

  /**
   * A session for an account that has proved who it is (its password, or an identity provider's word), audited as a
   * sign-in; `details` says how when it was not by password.
   */
  async openSession(account: Account, meta: RequestMeta, details?: Record<string, unknown>): Promise<{ token: string; expiresAt: string; user: Me }> {
    const token = newSessionToken();
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.opts.sessionTtlHours * 3600_000).toISOString();
    const sessionId = randomUUID();
    await sessionsRepository.insert(this.db.write, {
      id: sessionId,
      userId: account.id,
      tokenHash: sha256(token),
      now: now.toISOString(),
      expiresAt,
      userAgent: meta.userAgent?.slice(0, 256) ?? null,
      ip: meta.ip,
    });
    await this.audit({
      actorType: 'user',
      actorId: account.id,
      action: 'auth.login',
      targetType: 'user',
      targetId: account.id,
      outcome: 'success',
      ip: meta.ip,
      ...(details ? { details } : {}),
    });
    return { token, expiresAt, user: toMe(account) };
  }

  async logout(principal: Principal, meta: RequestMeta): Promise<void> {
    if (principal.kind !== 'user') return;
    await sessionsRepository.delete(this.db.write, principal.sessionId);
    await this.audit({ actorType: 'user', actorId: principal.userId, action: 'auth.logout', outcome: 'success', ip: meta.ip });
  }

  /** Resolves a bearer token or session cookie value to a principal, or undefined when it is not valid now. */
  async resolveToken(token: string): Promise<Principal | undefined> {
    if (token.startsWith(SESSION_PREFIX)) {
      const session = await sessionsRepository.findByTokenHash(this.db.read, sha256(token));
      if (!session || session.expiresAt <= this.now()) return undefined;
      const account = await usersRepository.findAccountById(this.db.read, session.userId);
      return account && account.disabledAt === null
        ? { kind: 'user', userId: account.id, role: account.role, sessionId: session.id, mustChangePassword: account.passwordChangeRequired }
        : undefined;
    }
    const parsed = parseApiKey(token);
    if (!parsed) return undefined;
    const key = await apiKeysRepository.findById(this.db.read, parsed.id);
    if (!key || key.revokedAt !== null || !safeEqual(key.secretHash, sha256(parsed.secret))) return undefined;
    if (key.expiresAt !== null && key.expiresAt <= this.now()) return undefined;
    return { kind: 'key', keyId: key.id, name: key.name, scopes: key.scopes, projectId: key.projectId, sources: key.sources };
  }

  async me(userId: string): Promise<Me | undefined> {
    const a = await usersRepository.findAccountById(this.db.read, userId);
    return a ? toMe(a) : undefined;
  }

  async setPreferences(userId: string, preferences: Record<string, unknown>): Promise<Me | undefined> {
    await usersRepository.setPreferences(this.db.write, userId, preferences, this.now());
    return this.me(userId);
  }

  pruneExpiredSessions(): Promise<number> {
    return sessionsRepository.deleteExpired(this.db.write, this.now());
  }
}
