import type { Generated } from 'kysely';

/** Row types of the cost module's tables (see schema.ts, which re-exports them and lists every table in Database). */

export interface CostEventsTable {
  id: Generated<number>;
  source_event_id: number;
  project_id: string | null;
  workflow_id: string | null;
  agent_id: string | null;
  story_id: string | null;
  model: string | null;
  cost_amount: number | null;
  currency: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cache_write_tokens: number | null;
  cache_read_tokens: number | null;
  price_version: string | null;
  occurred_at_utc: string;
  request_id: string | null;
  session_id: string | null;
  skill: string | null;
  workflow_name: string | null;
  via: string | null;
  speed: string | null;
  service_tier: string | null;
  cache_write_5m_tokens: number | null;
  cache_write_1h_tokens: number | null;
  request_fingerprint: string | null;
}

export interface CostMetricSeriesTable {
  series_key: string;
  start_ns: string;
  segment: number;
  temporality: string;
  session_id: string;
  model: string;
  metric: string;
  value: number;
  time_ns: string;
  project_id: string | null;
  agent_id: string | null;
  workflow_id: string | null;
  story_id: string | null;
  skill: string | null;
  workflow_name: string | null;
  currency: string | null;
  source_event_id: number;
}

export interface CostSourceReportsTable {
  source_event_id: number;
  scope_id: string;
  status: string;
  occurred_at_utc: string;
  covers_from_utc: string;
}

/** Per UTC hour and key, the cost rows that fell there (migration 004). '' stands for "none" in the key columns. */
export interface CostRollupHourlyTable {
  hour_start_utc: string;
  project_id: string;
  agent_id: string;
  model: string;
  story_id: string;
  currency: string;
  /** Sum of the known amounts (0 for the currency '' row, which holds the unpriced ones). */
  amount_sum: number;
  event_count: number;
  /** Rows without an amount; event_count - unpriced_count had one. */
  unpriced_count: number;
}

/** cost_rollup_hourly summed over agent, model and story: what totals, timeseries and budgets read. */
export interface CostRollupProjectHourlyTable {
  hour_start_utc: string;
  project_id: string;
  currency: string;
  amount_sum: number;
  event_count: number;
  unpriced_count: number;
}

/** Cost to date per story and currency ('' = the unpriced rows), kept in the append transaction (migration 005). */
export interface StoryCostTotalsTable {
  story_id: string;
  currency: string;
  amount_sum: number;
  event_count: number;
  unpriced_count: number;
}

/** cost_rollup_project_hourly per UTC day. */
export interface CostRollupProjectDailyTable {
  day_start_utc: string;
  project_id: string;
  currency: string;
  amount_sum: number;
  event_count: number;
  unpriced_count: number;
}

/** cost_rollup_project_hourly per UTC quarter hour (migration 019): hours a zone's bucket boundary cuts. */
export interface CostRollupProjectQuarterTable {
  quarter_start_utc: string;
  project_id: string;
  currency: string;
  amount_sum: number;
  event_count: number;
  unpriced_count: number;
}

/** cost_rollup_project_hourly summed over projects (migration 019). */
export interface CostRollupTotalHourlyTable {
  hour_start_utc: string;
  currency: string;
  amount_sum: number;
  event_count: number;
  unpriced_count: number;
}

/** Raised with every change to a UTC day's rollup rows (migration 019): what readers validate cached days against. */
export interface CostRollupDayVersionsTable {
  day_start_utc: string;
  version: number;
}

/** A breakdown dimension's rows per UTC hour or day (migration 019): `dim` names the dimension, `key` its value. */
interface CostRollupDimColumns {
  dim: string;
  project_id: string;
  key: string;
  currency: string;
  amount_sum: number;
  event_count: number;
  unpriced_count: number;
}
export interface CostRollupDimHourlyTable extends CostRollupDimColumns {
  hour_start_utc: string;
}
export interface CostRollupDimDailyTable extends CostRollupDimColumns {
  day_start_utc: string;
}

/** The newest project.budget_set per project; amount null means cleared (a tombstone, so older sets cannot win). */
export interface ProjectBudgetsTable {
  project_id: string;
  amount: number | null;
  currency: string | null;
  version_at: string;
  version_key: string;
}
