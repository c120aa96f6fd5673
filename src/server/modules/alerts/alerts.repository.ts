import { sql, type Selectable } from 'kysely';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import { upsertByKey } from '../../db/upsert.js';
import type { AlertNotificationsTable, AlertsTable } from '../../db/schema.js';

export type AlertRow = Selectable<AlertsTable>;
export type NotificationRow = Selectable<AlertNotificationsTable>;

export const alertsRepository = {
  async rowsByIds(db: Executor, ids: readonly string[]): Promise<Map<string, AlertRow>> {
    const out = new Map<string, AlertRow>();
    for (const part of chunks(ids)) for (const r of await db.selectFrom('alerts').selectAll().where('id', 'in', part).execute()) out.set(r.id, r);
    return out;
  },

  upsert(db: Executor, rows: readonly AlertRow[]): Promise<void> {
    return upsertByKey(db, 'alerts', 'id', rows);
  },

  /** Adds notifications; one already there (the same event seen again) is left as it is. */
  async addNotifications(db: Executor, rows: readonly NotificationRow[]): Promise<void> {
    for (const part of chunks(rows))
      await db
        .insertInto('alert_notifications')
        .values(part)
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
  },

  /** Every firing alert: the evaluator's open set. */
  firing(db: Executor): Promise<AlertRow[]> {
    return db.selectFrom('alerts').selectAll().where('state', '=', 'firing').orderBy('fired_at').execute();
  },

  async anyFiring(db: Executor): Promise<boolean> {
    return (await db.selectFrom('alerts').select('id').where('state', '=', 'firing').limit(1).executeTakeFirst()) !== undefined;
  },

  /** Per rule: how many alerts fire now and when it last fired. */
  async statsByRule(db: Executor): Promise<Map<string, { firing: number; lastFiredAt: string | null }>> {
    const rows = await db
      .selectFrom('alerts')
      .select((eb) => ['rule_id', sql<number>`sum(case when state = 'firing' then 1 else 0 end)`.as('firing'), eb.fn.max('fired_at').as('last_fired_at')])
      .groupBy('rule_id')
      .execute();
    return new Map(rows.map((r) => [r.rule_id, { firing: Number(r.firing), lastFiredAt: (r.last_fired_at as string | null) ?? null }]));
  },

  /** When each of these alerts was last sent (fired or repeated); alerts never sent again are absent. */
  async lastNotified(db: Executor, alertIds: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const part of chunks(alertIds)) {
      for (const r of await db.selectFrom('alert_repeats').select(['alert_id', 'last_notified_at']).where('alert_id', 'in', part).execute())
        out.set(r.alert_id, r.last_notified_at);
    }
    return out;
  },

  async markRepeated(db: Executor, alertId: string, at: string): Promise<void> {
    await db
      .insertInto('alert_repeats')
      .values({ alert_id: alertId, last_notified_at: at, repeats: 1 })
      .onConflict((oc) => oc.column('alert_id').doUpdateSet((eb) => ({ last_notified_at: at, repeats: eb('alert_repeats.repeats', '+', 1) })))
      .execute();
  },

  /** Bookkeeping of alerts that are no longer firing. */
  async forgetRepeats(db: Executor, alertIds: readonly string[]): Promise<void> {
    for (const part of chunks(alertIds)) await db.deleteFrom('alert_repeats').where('alert_id', 'in', part).execute();
  },
};
