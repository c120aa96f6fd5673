import type { ColumnDefinitionBuilder } from 'kysely';
import type { Migration } from './types.js';

const notNull = (c: ColumnDefinitionBuilder) => c.notNull();

/**
 * Agent analytics. 001 created agent_metrics/agent_outliers before anything wrote them; they are rebuilt here with
 * the unit in the key (money KPIs have one row per currency), the summed parts of ratio KPIs (so days combine from
 * hours without re-reading events), and the baseline an outlier was scored against (so "why" can be shown).
 * agent_metric_facts holds what each workflow and story contributed, re-derived whenever one of its events arrives;
 * rollup_checkpoints records how far the rollup job has read domain_events.
 */
export const agentAnalytics: Migration = {
  version: 6,
  name: 'agent-analytics',
  statements(db, dialect) {
    const id = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement());
    const idType = dialect === 'postgres' ? 'bigint' : 'integer';
    return [
      db.schema.dropTable('agent_outliers'),
      db.schema.dropTable('agent_metrics'),
      db.schema
        .createTable('agent_metrics')
        .addColumn('id', idType, id)
        .addColumn('agent_id', 'text', notNull)
        .addColumn('kpi_key', 'text', notNull)
        .addColumn('unit', 'text', notNull)
        .addColumn('granularity', 'text', notNull)
        .addColumn('window_start_utc', 'text', notNull)
        .addColumn('window_end_utc', 'text', notNull)
        .addColumn('kpi_value', 'real')
        .addColumn('num', 'real', notNull)
        .addColumn('den', 'real')
        .addColumn('lineage_ref', 'text', (c) => c.notNull().unique())
        .addColumn('updated_at_utc', 'text', notNull)
        .addUniqueConstraint('agent_metrics_window_uq', ['agent_id', 'kpi_key', 'unit', 'granularity', 'window_start_utc']),
      db.schema.createIndex('agent_metrics_agent_kpi_idx').on('agent_metrics').columns(['agent_id', 'kpi_key', 'granularity', 'window_end_utc desc']),
      // One agent's series in one window (per-story KPIs divide its cost, tokens and completions there).
      db.schema.createIndex('agent_metrics_bucket_idx').on('agent_metrics').columns(['agent_id', 'granularity', 'window_start_utc']),
      // Peers: every agent's value of one KPI in one window.
      db.schema.createIndex('agent_metrics_peer_idx').on('agent_metrics').columns(['kpi_key', 'unit', 'granularity', 'window_start_utc']),

      db.schema
        .createTable('agent_outliers')
        .addColumn('id', idType, id)
        .addColumn('agent_metric_id', idType, (c) => c.notNull().references('agent_metrics.id').onDelete('cascade'))
        .addColumn('method', 'text', notNull)
        .addColumn('score', 'real', notNull)
        .addColumn('threshold', 'real', notNull)
        .addColumn('baseline_median', 'real', notNull)
        .addColumn('baseline_mad', 'real', notNull)
        .addColumn('baseline_size', 'integer', notNull)
        .addColumn('flagged_at_utc', 'text', notNull)
        .addColumn('lineage_ref', 'text', notNull)
        .addUniqueConstraint('agent_outliers_metric_method_uq', ['agent_metric_id', 'method']),

      db.schema
        .createTable('agent_metric_facts')
        .addColumn('id', idType, id)
        .addColumn('entity_type', 'text', notNull)
        .addColumn('entity_id', 'text', notNull)
        .addColumn('agent_id', 'text', notNull)
        .addColumn('kpi_key', 'text', notNull)
        .addColumn('occurred_at_utc', 'text', notNull)
        .addColumn('num', 'real', notNull)
        .addColumn('den', 'real')
        .addColumn('sample', 'real')
        /** The domain_events ids the fact was derived from, as a JSON array. */
        .addColumn('event_ids_json', 'text', notNull),
      db.schema.createIndex('agent_metric_facts_bucket_idx').on('agent_metric_facts').columns(['agent_id', 'kpi_key', 'occurred_at_utc']),
      db.schema.createIndex('agent_metric_facts_entity_idx').on('agent_metric_facts').columns(['entity_type', 'entity_id']),

      db.schema
        .createTable('rollup_checkpoints')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('last_event_id', idType, notNull)
        .addColumn('value', 'text')
        .addColumn('updated_at_utc', 'text', notNull),
    ];
  },
};
