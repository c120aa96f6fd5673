import { sql, type Insertable, type Selectable } from 'kysely';
import { encodeParts, KeySet } from '../../composite-key.js';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import type { CostEventsTable, CostMetricSeriesTable } from '../../db/schema.js';

export type MetricSeriesRow = Selectable<CostMetricSeriesTable>;
export type CostRowInsert = Insertable<CostEventsTable>;

/** A root session and a model: what a metric remainder is kept per. */
export interface SessionModel {
  sessionId: string;
  model: string;
}

export const sessionModelSet = (items: Iterable<SessionModel> = []) => new KeySet<SessionModel>((k) => encodeParts([k.sessionId, k.model]), items);

/** A session's costs that name their request (transcript lines, OTLP `api_request` events, the API), summed. */
export interface ItemizedSums {
  amount: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/** Rows of a session: its own, and its sub-agents' (`<session>/<agent>` in transcripts). */
function ofSession(sessionId: string) {
  return sql<boolean>`(session_id = ${sessionId} or (session_id >= ${`${sessionId}/`} and session_id < ${`${sessionId}0`}))`;
}

export const costMetricsRepository = {
  async latestSegment(db: Executor, seriesKey: string, startNs: string): Promise<MetricSeriesRow | undefined> {
    return db
      .selectFrom('cost_metric_series')
      .selectAll()
      .where('series_key', '=', seriesKey)
      .where('start_ns', '=', startNs)
      .orderBy('segment', 'desc')
      .limit(1)
      .executeTakeFirst();
  },

  async insertSegment(db: Executor, row: Insertable<CostMetricSeriesTable>): Promise<void> {
    await db.insertInto('cost_metric_series').values(row).execute();
  },

  async updateSegment(
    db: Executor,
    key: Pick<MetricSeriesRow, 'series_key' | 'start_ns' | 'segment'>,
    set: Partial<Insertable<CostMetricSeriesTable>>,
  ): Promise<void> {
    await db
      .updateTable('cost_metric_series')
      .set(set)
      .where('series_key', '=', key.series_key)
      .where('start_ns', '=', key.start_ns)
      .where('segment', '=', key.segment)
      .execute();
  },

  async seriesOf(db: Executor, sessionId: string, model: string): Promise<MetricSeriesRow[]> {
    return db.selectFrom('cost_metric_series').selectAll().where('session_id', '=', sessionId).where('model', '=', model).execute();
  },

  /** Which of these root sessions have metric points for the model (only those have a remainder to keep right). */
  async sessionsWithSeries(db: Executor, sessionIds: readonly string[]): Promise<KeySet<SessionModel>> {
    const out = sessionModelSet();
    for (const part of chunks(sessionIds)) {
      const rows = await db.selectFrom('cost_metric_series').select(['session_id', 'model']).distinct().where('session_id', 'in', part).execute();
      for (const r of rows) out.add({ sessionId: r.session_id, model: r.model });
    }
    return out;
  },

  async itemized(db: Executor, sessionId: string, model: string): Promise<ItemizedSums> {
    const r = await db
      .selectFrom('cost_events')
      .select([
        sql<number>`coalesce(sum(case when currency = 'USD' then cost_amount end), 0)`.as('amount'),
        sql<number>`coalesce(sum(input_tokens), 0)`.as('input'),
        sql<number>`coalesce(sum(output_tokens), 0)`.as('output'),
        sql<number>`coalesce(sum(cache_read_tokens), 0)`.as('cacheRead'),
        sql<number>`coalesce(sum(cache_write_tokens), 0)`.as('cacheWrite'),
      ])
      .where(ofSession(sessionId))
      .where('model', '=', model)
      .where((eb) => eb.or([eb('via', 'is', null), eb('via', '!=', 'otlp_metric')]))
      .executeTakeFirstOrThrow();
    return { amount: Number(r.amount), input: Number(r.input), output: Number(r.output), cacheRead: Number(r.cacheRead), cacheWrite: Number(r.cacheWrite) };
  },

  async remainderRow(db: Executor, requestId: string): Promise<Selectable<CostEventsTable> | undefined> {
    return db.selectFrom('cost_events').selectAll().where('request_id', '=', requestId).executeTakeFirst();
  },

  async insertRemainder(db: Executor, row: Insertable<CostEventsTable>): Promise<void> {
    await db.insertInto('cost_events').values(row).execute();
  },

  async updateRemainder(db: Executor, id: number, row: Insertable<CostEventsTable>): Promise<void> {
    await db.updateTable('cost_events').set(row).where('id', '=', id).execute();
  },

  async deleteRemainder(db: Executor, id: number): Promise<void> {
    await db.deleteFrom('cost_events').where('id', '=', id).execute();
  },

  /** Where and by which path each of these request fingerprints was already costed. */
  async fingerprintSightings(db: Executor, fingerprints: readonly string[]): Promise<Map<string, { via: string | null; at: string }[]>> {
    const out = new Map<string, { via: string | null; at: string }[]>();
    for (const part of chunks(fingerprints)) {
      const rows = await db
        .selectFrom('cost_events')
        .select(['request_fingerprint', 'via', 'occurred_at_utc'])
        .where('request_fingerprint', 'in', part)
        .execute();
      for (const r of rows) {
        const list = out.get(r.request_fingerprint!) ?? [];
        list.push({ via: r.via, at: r.occurred_at_utc });
        out.set(r.request_fingerprint!, list);
      }
    }
    return out;
  },
};
