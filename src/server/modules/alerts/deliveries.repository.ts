import type { Insertable, Selectable } from 'kysely';
import type { AlertDelivery } from '../../../contracts/index.js';
import type { Executor } from '../../db/handle.js';
import type { AlertDeliveriesTable } from '../../db/schema.js';

type DeliveryRow = Selectable<AlertDeliveriesTable>;

const toDelivery = (r: DeliveryRow): AlertDelivery => ({
  id: Number(r.id),
  deliveryId: r.delivery_id,
  alertId: r.alert_id,
  kind: r.kind as AlertDelivery['kind'],
  attempt: r.attempt,
  outcome: r.outcome as AlertDelivery['outcome'],
  statusCode: r.status_code,
  error: r.error,
  responseExcerpt: r.response_excerpt,
  durationMs: r.duration_ms,
  at: r.at,
});

export const deliveriesRepository = {
  /** Records one attempt and keeps only the newest `keep` attempts of the channel: the log stays small. */
  async record(db: Executor, row: Insertable<AlertDeliveriesTable>, keep: number): Promise<AlertDelivery> {
    const stored = await db.insertInto('alert_deliveries').values(row).returningAll().executeTakeFirstOrThrow();
    const cutoff = await db
      .selectFrom('alert_deliveries')
      .select('id')
      .where('channel_id', '=', row.channel_id)
      .orderBy('id', 'desc')
      .offset(keep)
      .limit(1)
      .executeTakeFirst();
    if (cutoff) await db.deleteFrom('alert_deliveries').where('channel_id', '=', row.channel_id).where('id', '<=', cutoff.id).execute();
    return toDelivery(stored);
  },

  async recent(db: Executor, channelId: string, limit: number): Promise<AlertDelivery[]> {
    const rows = await db.selectFrom('alert_deliveries').selectAll().where('channel_id', '=', channelId).orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toDelivery);
  },

  /** Per channel: its newest attempt, and its newest attempt that did not deliver. */
  async latestByChannel(db: Executor): Promise<Map<string, { last: AlertDelivery | null; lastError: AlertDelivery | null }>> {
    const out = new Map<string, { last: AlertDelivery | null; lastError: AlertDelivery | null }>();
    const newest = (outcomes: readonly string[]) =>
      db
        .selectFrom('alert_deliveries')
        .selectAll()
        .where('outcome', 'in', outcomes)
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('alert_deliveries as d')
            .select((e) => e.fn.max('d.id').as('id'))
            .where('d.outcome', 'in', outcomes)
            .groupBy('d.channel_id'),
        )
        .execute();
    const [last, errors] = await Promise.all([newest(['delivered', 'retrying', 'failed']), newest(['retrying', 'failed'])]);
    for (const r of last) out.set(r.channel_id, { last: toDelivery(r), lastError: null });
    for (const r of errors) out.set(r.channel_id, { last: out.get(r.channel_id)?.last ?? null, lastError: toDelivery(r) });
    return out;
  },

  async forget(db: Executor, channelId: string): Promise<void> {
    await db.deleteFrom('alert_deliveries').where('channel_id', '=', channelId).execute();
  },
};
