import { sql } from 'kysely';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import type { Granularity, MetricKey, MetricRow, NewMetric } from './analytics.repository.js';
import { GRANULARITIES } from './buckets.js';

/** The agent_metrics and agent_outliers tables: the rolled-up KPI figures and the outliers flagged among them. */
/** What a trend point is made of. */
export type SeriesRow = Pick<MetricRow, 'agent_id' | 'kpi_key' | 'unit' | 'window_start_utc' | 'kpi_value' | 'lineage_ref'>;

export const agentMetricsRepository = {
  async upsertMetrics(db: Executor, rows: readonly NewMetric[], now: string): Promise<void> {
    for (const part of chunks(rows)) {
      await db
        .insertInto('agent_metrics')
        .values(part.map((m) => metricValues(m, now)))
        .onConflict((oc) =>
          oc.columns(['agent_id', 'kpi_key', 'unit', 'granularity', 'window_start_utc']).doUpdateSet((eb) => ({
            kpi_value: eb.ref('excluded.kpi_value'),
            num: eb.ref('excluded.num'),
            den: eb.ref('excluded.den'),
            updated_at_utc: eb.ref('excluded.updated_at_utc'),
          })),
        )
        .execute();
    }
  },

  /**
   * Adds to additive series (cost, tokens) without reading them back: the incremental path for the high-volume cost
   * records. The value of a sum is its numerator.
   */
  async addToMetrics(db: Executor, rows: readonly NewMetric[], now: string): Promise<void> {
    for (const part of chunks(rows)) {
      await db
        .insertInto('agent_metrics')
        .values(part.map((m) => metricValues(m, now)))
        .onConflict((oc) =>
          oc.columns(['agent_id', 'kpi_key', 'unit', 'granularity', 'window_start_utc']).doUpdateSet({
            num: sql`agent_metrics.num + excluded.num`,
            kpi_value: sql`case when excluded.kpi_value is null then agent_metrics.kpi_value else coalesce(agent_metrics.kpi_value, 0) + excluded.kpi_value end`,
            updated_at_utc: sql`excluded.updated_at_utc`,
          }),
        )
        .execute();
    }
  },

  async deleteMetrics(db: Executor, keys: readonly MetricKey[]): Promise<void> {
    for (const k of keys) {
      await db
        .deleteFrom('agent_metrics')
        .where('agent_id', '=', k.agentId)
        .where('kpi_key', '=', k.kpi)
        .where('unit', '=', k.unit)
        .where('granularity', '=', k.granularity)
        .where('window_start_utc', '=', k.windowStart)
        .execute();
    }
  },

  /** An agent's rows of the given series in windows starting in [from, to] (hours and days). */
  async agentRows(db: Executor, agentId: string, kpis: readonly string[], from: string, to: string): Promise<MetricRow[]> {
    return (
      db
        .selectFrom('agent_metrics')
        .selectAll()
        .where('agent_id', '=', agentId)
        // Every granularity, named: the (agent, granularity, window) index then serves one range per granularity
        // instead of reading all of the agent's rows.
        .where('granularity', 'in', [...GRANULARITIES])
        .where('window_start_utc', '>=', from)
        .where('window_start_utc', '<=', to)
        .where('kpi_key', 'in', [...kpis])
        .execute()
    );
  },

  async peers(db: Executor, kpi: string, unit: string, granularity: Granularity, windowStart: string): Promise<MetricRow[]> {
    return db
      .selectFrom('agent_metrics')
      .selectAll()
      .where('kpi_key', '=', kpi)
      .where('unit', '=', unit)
      .where('granularity', '=', granularity)
      .where('window_start_utc', '=', windowStart)
      .execute();
  },

  /** Every agent's daily values of one series in [from, before). */
  async history(db: Executor, kpi: string, unit: string, from: string, before: string): Promise<MetricRow[]> {
    return db
      .selectFrom('agent_metrics')
      .selectAll()
      .where('kpi_key', '=', kpi)
      .where('unit', '=', unit)
      .where('granularity', '=', 'day')
      .where('window_start_utc', '>=', from)
      .where('window_start_utc', '<', before)
      .execute();
  },

  async dayRowsOf(db: Executor, windowStart: string, kpis: readonly string[]): Promise<MetricRow[]> {
    return db
      .selectFrom('agent_metrics')
      .selectAll()
      .where('granularity', '=', 'day')
      .where('window_start_utc', '=', windowStart)
      .where('kpi_key', 'in', [...kpis])
      .execute();
  },

  async replaceOutliers(
    db: Executor,
    method: string,
    metricIds: readonly number[],
    flagged: readonly { metricId: number; score: number; threshold: number; median: number; mad: number; size: number; lineageRef: string }[],
    now: string,
  ): Promise<void> {
    for (const part of chunks(metricIds)) await db.deleteFrom('agent_outliers').where('method', '=', method).where('agent_metric_id', 'in', part).execute();
    for (const part of chunks(flagged)) {
      await db
        .insertInto('agent_outliers')
        .values(
          part.map((f) => ({
            agent_metric_id: f.metricId,
            method,
            score: f.score,
            threshold: f.threshold,
            baseline_median: f.median,
            baseline_mad: f.mad,
            baseline_size: f.size,
            flagged_at_utc: now,
            lineage_ref: f.lineageRef,
          })),
        )
        .execute();
    }
  },

  // ---------- reads for the API ----------

  async seriesRows(
    db: Executor,
    q: { agentIds: readonly string[] | null; kpis: readonly string[]; granularity: Granularity; start: string; end: string },
  ): Promise<SeriesRow[]> {
    // The six columns a chart point needs, not all twelve: turning values into JS is most of this read's time.
    let query = db
      .selectFrom('agent_metrics')
      .select(['agent_id', 'kpi_key', 'unit', 'window_start_utc', 'kpi_value', 'lineage_ref'])
      .where('granularity', '=', q.granularity)
      .where('kpi_key', 'in', [...q.kpis])
      .where('window_start_utc', '<', q.end)
      .where('window_end_utc', '>', q.start);
    if (q.agentIds) query = query.where('agent_id', 'in', [...q.agentIds]);
    return query.orderBy('agent_id').orderBy('kpi_key').orderBy('window_start_utc').execute();
  },

  async outliers(db: Executor, q: { agentIds: readonly string[] | null; kpi: string | null; start: string; end: string; limit: number }) {
    let query = db
      .selectFrom('agent_outliers as o')
      .innerJoin('agent_metrics as m', 'm.id', 'o.agent_metric_id')
      .select([
        'o.id',
        'o.method',
        'o.score',
        'o.threshold',
        'o.baseline_median',
        'o.baseline_mad',
        'o.baseline_size',
        'o.flagged_at_utc',
        'o.lineage_ref',
        'm.agent_id',
        'm.kpi_key',
        'm.unit',
        'm.window_start_utc',
        'm.window_end_utc',
        'm.kpi_value',
      ])
      .where('m.window_start_utc', '<', q.end)
      .where('m.window_end_utc', '>', q.start);
    if (q.agentIds) query = query.where('m.agent_id', 'in', [...q.agentIds]);
    if (q.kpi) query = query.where('m.kpi_key', '=', q.kpi);
    return query
      .orderBy(sql`abs(o.score)`, 'desc')
      .orderBy('o.id')
      .limit(q.limit)
      .execute();
  },

  /** The newest figures of one KPI, for the consistency monitor to check against their lineage. */
  async recentMetrics(db: Executor, kpi: string, limit: number): Promise<{ ref: string; value: number | null }[]> {
    const rows = await db
      .selectFrom('agent_metrics')
      .select(['lineage_ref', 'kpi_value'])
      .where('kpi_key', '=', kpi)
      .orderBy('window_start_utc', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ ref: r.lineage_ref, value: r.kpi_value }));
  },

  async metricByLineage(db: Executor, lineageRef: string): Promise<MetricRow | undefined> {
    return db.selectFrom('agent_metrics').selectAll().where('lineage_ref', '=', lineageRef).executeTakeFirst();
  },
};

function metricValues(m: NewMetric, now: string) {
  return {
    agent_id: m.agentId,
    kpi_key: m.kpi,
    unit: m.unit,
    granularity: m.granularity,
    window_start_utc: m.windowStart,
    window_end_utc: m.windowEnd,
    kpi_value: m.value,
    num: m.num,
    den: m.den,
    lineage_ref: m.lineageRef,
    updated_at_utc: now,
  };
}
