import { sql, type Selectable } from 'kysely';
import type { Role } from '../../../contracts/index.js';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import type { UsersTable } from '../../db/schema.js';

export type UserRow = Selectable<UsersTable>;

export interface Account {
  id: string;
  email: string;
  displayName: string | null;
  role: Role;
  passwordHash: string;
  preferences: Record<string, unknown>;
  /** Set while a manager has switched the account off: no sign-in, no session. */
  disabledAt: string | null;
  /** The password was generated or given by someone else: the person must choose their own before anything else. */
  passwordChangeRequired: boolean;
  createdAt: string;
}

function toAccount(r: UserRow): Account | undefined {
  if (r.password_hash === null || r.email === null) return undefined;
  return {
    id: r.id,
    email: r.email,
    displayName: r.display_name,
    role: r.role as Role,
    passwordHash: r.password_hash,
    preferences: JSON.parse(r.preferences_json) as Record<string, unknown>,
    disabledAt: r.disabled_at,
    passwordChangeRequired: r.password_change_required === 1,
    createdAt: r.created_at,
  };
}

export const usersRepository = {
  async rowsByIds(db: Executor, ids: readonly string[]): Promise<Map<string, UserRow>> {
    const found = [];
    for (const part of chunks(ids)) found.push(...(await db.selectFrom('users').selectAll().where('id', 'in', part).execute()));
    return new Map(found.map((r) => [r.id, r]));
  },

  /** Upserts people known from events; the WHERE keeps local accounts untouched even under a race. */
  async upsertEventUsers(db: Executor, rows: readonly UserRow[]): Promise<void> {
    for (const part of chunks(rows)) {
      await db
        .insertInto('users')
        .values(part)
        .onConflict((oc) =>
          oc
            .column('id')
            .doUpdateSet((eb) => ({
              email: eb.ref('excluded.email'),
              display_name: eb.ref('excluded.display_name'),
              version_at: eb.ref('excluded.version_at'),
              version_key: eb.ref('excluded.version_key'),
              created_at: eb.ref('excluded.created_at'),
              updated_at: eb.ref('excluded.updated_at'),
            }))
            .where('users.origin', '=', 'event'),
        )
        .execute();
    }
  },

  async createAccount(
    db: Executor,
    a: { id: string; email: string; displayName: string | null; role: Role; passwordHash: string; passwordChangeRequired: boolean; now: string },
  ): Promise<void> {
    await db
      .insertInto('users')
      .values({
        id: a.id,
        email: a.email,
        display_name: a.displayName,
        role: a.role,
        password_hash: a.passwordHash,
        preferences_json: '{}',
        origin: 'local',
        version_at: null,
        version_key: null,
        created_at: a.now,
        updated_at: a.now,
        disabled_at: null,
        password_change_required: a.passwordChangeRequired ? 1 : 0,
      })
      .execute();
  },

  /** Every account that can sign in (people known only from events are not accounts), by email. */
  async listAccounts(db: Executor): Promise<Account[]> {
    const rows = await db.selectFrom('users').selectAll().where('password_hash', 'is not', null).orderBy('email').execute();
    return rows.map(toAccount).filter((a): a is Account => a !== undefined);
  },

  async setRole(db: Executor, id: string, role: Role, now: string): Promise<void> {
    await db.updateTable('users').set({ role, updated_at: now }).where('id', '=', id).execute();
  },

  async setDisabled(db: Executor, id: string, disabledAt: string | null, now: string): Promise<void> {
    await db.updateTable('users').set({ disabled_at: disabledAt, updated_at: now }).where('id', '=', id).execute();
  },

  async findAccountByEmail(db: Executor, email: string): Promise<Account | undefined> {
    const row = await db.selectFrom('users').selectAll().where('email', '=', email).where('password_hash', 'is not', null).executeTakeFirst();
    return row ? toAccount(row) : undefined;
  },

  async findAccountById(db: Executor, id: string): Promise<Account | undefined> {
    const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toAccount(row) : undefined;
  },

  /** Managers who can sign in, leaving one account out (the one about to be demoted or disabled). */
  async countEnabledManagers(db: Executor, except: string): Promise<number> {
    const r = await db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('role', '=', 'manager')
      .where('password_hash', 'is not', null)
      .where('disabled_at', 'is', null)
      .where('id', '!=', except)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },

  async countAccounts(db: Executor): Promise<number> {
    const r = await db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('password_hash', 'is not', null)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },

  /** `changeRequired` left out keeps the flag (a rehash at login); given, it sets it (a reset, a change). */
  async setPasswordHash(db: Executor, id: string, passwordHash: string, now: string, changeRequired?: boolean): Promise<void> {
    await db
      .updateTable('users')
      .set({ password_hash: passwordHash, updated_at: now, ...(changeRequired === undefined ? {} : { password_change_required: changeRequired ? 1 : 0 }) })
      .where('id', '=', id)
      .execute();
  },

  async setPreferences(db: Executor, id: string, preferences: Record<string, unknown>, now: string): Promise<void> {
    await db
      .updateTable('users')
      .set({ preferences_json: JSON.stringify(preferences), updated_at: now })
      .where('id', '=', id)
      .execute();
  },

  /** People for the directory: accounts and people known from events. Only names and emails: never hashes, roles or preferences. */
  async people(db: Executor, limit: number): Promise<{ id: string; displayName: string | null; email: string | null }[]> {
    const rows = await db
      .selectFrom('users')
      .select(['id', 'display_name', 'email'])
      // lower(), not SQLite's NOCASE collation: both backends fold ASCII case the same way.
      .orderBy(sql`lower(coalesce(display_name, email, id))`)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: r.id, displayName: r.display_name, email: r.email }));
  },

  /** Accounts made here (not known from events), as stored: the consistency monitor's rebuild starts from them. */
  async localAccountRows(db: Executor): Promise<UserRow[]> {
    return db.selectFrom('users').selectAll().where('origin', '!=', 'event').execute();
  },

  /** Copies rows as they are into another database (the consistency monitor's scratch rebuild). */
  async copyRows(db: Executor, rows: readonly UserRow[]): Promise<void> {
    for (const part of chunks(rows, 200)) await db.insertInto('users').values(part).execute();
  },
};
