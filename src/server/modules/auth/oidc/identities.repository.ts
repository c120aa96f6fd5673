import type { Executor } from '../../../db/handle.js';

export interface Identity {
  issuer: string;
  subject: string;
  userId: string;
}

export const identitiesRepository = {
  async find(db: Executor, issuer: string, subject: string): Promise<Identity | undefined> {
    const r = await db
      .selectFrom('user_identities')
      .select(['issuer', 'subject', 'user_id'])
      .where('issuer', '=', issuer)
      .where('subject', '=', subject)
      .executeTakeFirst();
    return r ? { issuer: r.issuer, subject: r.subject, userId: r.user_id } : undefined;
  },

  async findForUser(db: Executor, userId: string, issuer: string): Promise<Identity | undefined> {
    const r = await db
      .selectFrom('user_identities')
      .select(['issuer', 'subject', 'user_id'])
      .where('user_id', '=', userId)
      .where('issuer', '=', issuer)
      .executeTakeFirst();
    return r ? { issuer: r.issuer, subject: r.subject, userId: r.user_id } : undefined;
  },

  async insert(db: Executor, i: Identity & { email: string | null; now: string }): Promise<void> {
    await db
      .insertInto('user_identities')
      .values({ issuer: i.issuer, subject: i.subject, user_id: i.userId, email: i.email, created_at: i.now, last_login_at: i.now })
      .execute();
  },

  async touch(db: Executor, issuer: string, subject: string, email: string | null, now: string): Promise<void> {
    await db.updateTable('user_identities').set({ email, last_login_at: now }).where('issuer', '=', issuer).where('subject', '=', subject).execute();
  },
};
