import type { AccountPatchBody, AdminAccount, InviteBody, OneTimePasswordResponse } from '../../../contracts/index.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { HttpError, notFound } from '../../http/errors.js';
import { auditRepository } from '../audit/index.js';
import { UserExistsError, type AuditActor, type AuthService } from '../auth/index.js';
import { sessionsRepository } from '../auth/index.js';
import { generatePassword } from '../auth/index.js';
import { usersRepository, type Account } from '../auth/index.js';
import { Serial } from './serial.js';

/** The manager making a change, as the routes know them. */
export interface Manager {
  userId: string;
  ip: string | null;
}

const actorOf = (m: Manager): AuditActor => ({ actorType: 'user', actorId: m.userId, ip: m.ip });

/**
 * Settings → People: a manager lists, invites, changes and switches off accounts. The account operations themselves
 * (hashing, ending sessions, auditing, telling open sockets) are AuthService's, shared with the CLI; this adds what a
 * browser needs: ids instead of emails, one-time passwords, and the rules that keep the team from locking itself out.
 */
export class AccountsService {
  /** Role and disable changes run one at a time, so two managers demoting each other cannot both pass the check. */
  private readonly serial = new Serial();

  constructor(
    private readonly db: DatabaseHandle,
    private readonly auth: AuthService,
  ) {}

  async list(): Promise<AdminAccount[]> {
    const accounts = await this.auth.listAccounts();
    const view = await this.viewer();
    return accounts.map(view);
  }

  /** Creates the account with a generated password, shown once here, that its owner must replace at first sign-in. */
  async invite(body: InviteBody, manager: Manager): Promise<OneTimePasswordResponse> {
    try {
      const created = await this.auth.createUser({ email: body.email, role: body.role, displayName: body.displayName ?? null }, actorOf(manager));
      return { account: await this.view(created.id), oneTimePassword: created.password };
    } catch (err) {
      if (err instanceof UserExistsError) throw new HttpError(409, 'user_exists', err.message, [{ path: 'body.email', message: 'already has an account' }]);
      throw err;
    }
  }

  async update(id: string, patch: AccountPatchBody, manager: Manager): Promise<AdminAccount> {
    return this.serial.run(async () => {
      const target = await this.account(id);
      await this.requireStillManager(manager);
      const demoting = patch.role !== undefined && patch.role !== 'manager' && target.role === 'manager';
      const disabling = patch.disabled === true && target.disabledAt === null;
      if (demoting || disabling) await this.refuseLockout(target, manager, demoting ? 'user.set_role' : 'user.disable');
      if (patch.role !== undefined && patch.role !== target.role) await this.auth.setRole(target.email, patch.role, actorOf(manager));
      if (patch.disabled !== undefined && patch.disabled !== (target.disabledAt !== null))
        await this.auth.setDisabled(target.email, patch.disabled, actorOf(manager));
      return this.view(id);
    });
  }

  /** Signs the account out everywhere (yourself included: it is not a lockout, you can sign in again). */
  async revokeSessions(id: string, manager: Manager): Promise<{ account: AdminAccount; sessionsEnded: number }> {
    const target = await this.account(id);
    const sessionsEnded = await this.auth.revokeSessions(target.email, actorOf(manager));
    return { account: await this.view(id), sessionsEnded };
  }

  /**
   * A new one-time password for someone who lost theirs; their sessions end. Not for your own account: you would be
   * signed out holding a password you saw once, one missed copy away from being locked out.
   */
  async resetPassword(id: string, manager: Manager): Promise<OneTimePasswordResponse> {
    const target = await this.account(id);
    if (target.id === manager.userId) {
      await this.refused('user.reset_password', target, manager, 'own_account');
      throw new HttpError(409, 'own_account', 'you cannot reset your own password here: another manager can, or sign out and use the one you have');
    }
    const oneTimePassword = generatePassword();
    await this.auth.setPassword(target.email, oneTimePassword, actorOf(manager), { temporary: true });
    return { account: await this.view(id), oneTimePassword };
  }

  private async account(id: string): Promise<Account> {
    const a = await usersRepository.findAccountById(this.db.write, id);
    if (!a) throw notFound('account', id);
    return a;
  }

  /** The role was checked when the request arrived; another manager may have demoted this one since. */
  private async requireStillManager(manager: Manager): Promise<void> {
    const me = await usersRepository.findAccountById(this.db.write, manager.userId);
    if (!me || me.disabledAt !== null || me.role !== 'manager') throw new HttpError(403, 'forbidden', 'you are no longer a manager');
  }

  /**
   * Nobody demotes or disables themselves, and the last enabled manager stays one: someone must be able to manage.
   * With the actor re-checked inside the serial section, the count can only reach zero if another process (the CLI)
   * changed managers meanwhile; it is checked anyway, as the rule itself.
   */
  private async refuseLockout(target: Account, manager: Manager, action: string): Promise<void> {
    if (target.id === manager.userId) {
      await this.refused(action, target, manager, 'self_lockout');
      throw new HttpError(409, 'self_lockout', `you cannot ${action === 'user.disable' ? 'disable' : 'demote'} yourself: ask another manager`);
    }
    if (target.role === 'manager' && target.disabledAt === null && (await usersRepository.countEnabledManagers(this.db.write, target.id)) === 0) {
      await this.refused(action, target, manager, 'last_manager');
      throw new HttpError(409, 'last_manager', `${target.email} is the last enabled manager: make someone else a manager first`);
    }
  }

  private refused(action: string, target: Account, manager: Manager, reason: string): Promise<void> {
    return this.auth.audit({ ...actorOf(manager), action, targetType: 'user', targetId: target.id, outcome: 'failure', details: { reason } });
  }

  private async view(id: string): Promise<AdminAccount> {
    const view = await this.viewer();
    return view(await this.account(id));
  }

  /** Sessions and last sign-ins for every account in two grouped reads, instead of two per account. */
  private async viewer(): Promise<(a: Account) => AdminAccount> {
    const [sessions, lastSignIn] = await Promise.all([
      sessionsRepository.countActiveByUser(this.db.read, this.auth.clock.now().toISOString()),
      auditRepository.lastSuccessByTarget(this.db.read, 'auth.login'),
    ]);
    return (a) => ({
      id: a.id,
      email: a.email,
      displayName: a.displayName,
      role: a.role,
      disabled: a.disabledAt !== null,
      disabledAt: a.disabledAt,
      passwordChangeRequired: a.passwordChangeRequired,
      createdAt: a.createdAt,
      activeSessions: sessions.get(a.id) ?? 0,
      lastSignInAt: lastSignIn.get(a.id) ?? null,
    });
  }
}
