/**
 * The read models the projections maintain — everything the monitor rebuilds from `domain_events` and compares.
 * Left out, on purpose: accounts, keys, sessions and the audit log (not made from events); connector and realtime
 * bookkeeping; the cost rollup's day versions (a cache validator that counts batches, so it depends on batching); agent analytics (made by the rollup job from cost rows, checked through lineage instead); and the
 * monitor's own runs.
 */
export const READ_MODEL_TABLES = [
  'projects',
  'stories',
  'epics',
  'status_transitions',
  'workflows',
  'workflow_transitions',
  'workflow_sessions',
  'agents',
  'users',
  'cost_events',
  'cost_metric_series',
  'cost_source_reports',
  'cost_rollup_hourly',
  'cost_rollup_project_hourly',
  'cost_rollup_project_daily',
  'cost_rollup_project_quarter',
  'cost_rollup_dim_hourly',
  'cost_rollup_dim_daily',
  'cost_rollup_total_hourly',
  'story_cost_totals',
  'project_budgets',
  'sync_state',
  'documents',
  'document_versions',
  'consistency_reports',
  'consistency_findings',
  'alert_rules',
  'alert_channels',
  'alerts',
  'alert_notifications',
] as const;
export type ReadModelTable = (typeof READ_MODEL_TABLES)[number];

/** Rows of a table that belong to the comparison (people known from events only: accounts are not rebuilt). */
export const ROW_FILTER: Partial<Record<ReadModelTable, string>> = {
  users: "origin = 'event'",
};

/** Sources whose findings the monitor must not compare against itself (its own reports change while it runs). */
export const MONITOR_SOURCE = 'bmad-ops-monitor';
