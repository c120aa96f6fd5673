import { sql } from 'kysely';
import type { Executor } from '../../db/handle.js';

export interface NotificationItem {
  id: string;
  seq: number;
  alertId: string;
  kind: 'fired' | 'resolved';
  message: string;
  at: string;
  ruleName: string;
  alertKind: string;
  subjectType: string;
  subjectId: string;
  subjectName: string;
  projectId: string | null;
  state: string;
  read: boolean;
}

/** The in-app list with one person's read state: unread = no read row of theirs. */
function listQuery(db: Executor, userId: string) {
  return db
    .selectFrom('alert_notifications as n')
    .innerJoin('alerts as a', 'a.id', 'n.alert_id')
    .leftJoin('alert_notification_reads as r', (j) => j.onRef('r.notification_id', '=', 'n.id').on('r.user_id', '=', userId));
}

export const notificationsRepository = {
  /** Newest first, older than `before` (a seq), at most `limit`. */
  async page(db: Executor, userId: string, opts: { before?: number; limit: number; unreadOnly: boolean }): Promise<NotificationItem[]> {
    let q = listQuery(db, userId).select([
      'n.id',
      'n.seq',
      'n.alert_id',
      'n.kind',
      'n.message',
      'n.at',
      'a.rule_name',
      'a.kind as alert_kind',
      'a.subject_type',
      'a.subject_id',
      'a.subject_name',
      'a.project_id',
      'a.state',
      'r.read_at',
    ]);
    if (opts.before !== undefined) q = q.where('n.seq', '<', opts.before);
    if (opts.unreadOnly) q = q.where('r.read_at', 'is', null);
    const rows = await q.orderBy('n.seq', 'desc').limit(opts.limit).execute();
    return rows.map((r) => ({
      id: r.id,
      seq: Number(r.seq),
      alertId: r.alert_id,
      kind: r.kind as NotificationItem['kind'],
      message: r.message,
      at: r.at,
      ruleName: r.rule_name,
      alertKind: r.alert_kind,
      subjectType: r.subject_type,
      subjectId: r.subject_id,
      subjectName: r.subject_name,
      projectId: r.project_id,
      state: r.state,
      read: r.read_at !== null,
    }));
  },

  async unreadCount(db: Executor, userId: string): Promise<number> {
    const row = await listQuery(db, userId)
      .select(sql<number>`count(*)`.as('n'))
      .where('r.read_at', 'is', null)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  },

  /** Marks these notifications (those that exist) read for the person; already read ones keep their time. */
  async markRead(db: Executor, userId: string, ids: readonly string[], at: string): Promise<void> {
    if (ids.length === 0) return;
    await db
      .insertInto('alert_notification_reads')
      .columns(['user_id', 'notification_id', 'read_at'])
      .expression(
        db
          .selectFrom('alert_notifications')
          .select([sql.val(userId).as('user_id'), 'id as notification_id', sql.val(at).as('read_at')])
          .where('id', 'in', ids),
      )
      .onConflict((oc) => oc.columns(['user_id', 'notification_id']).doNothing())
      .execute();
  },

  /** Marks every notification there is now read for the person, in one statement. */
  async markAllRead(db: Executor, userId: string, at: string): Promise<void> {
    await db
      .insertInto('alert_notification_reads')
      .columns(['user_id', 'notification_id', 'read_at'])
      .expression(
        db
          .selectFrom('alert_notifications as n')
          .select([sql.val(userId).as('user_id'), 'n.id as notification_id', sql.val(at).as('read_at')])
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom('alert_notification_reads as r')
                  .select(sql`1`.as('one'))
                  .whereRef('r.notification_id', '=', 'n.id')
                  .where('r.user_id', '=', userId),
              ),
            ),
          ),
      )
      .onConflict((oc) => oc.columns(['user_id', 'notification_id']).doNothing())
      .execute();
  },
};
