import type { Generated, Selectable } from 'kysely';
import type { JobLeasesTable, RateLimitHitsTable, WsPresenceTable } from './schema-cluster.js';
import type {
  CostEventsTable,
  CostMetricSeriesTable,
  CostSourceReportsTable,
  CostRollupHourlyTable,
  CostRollupProjectHourlyTable,
  StoryCostTotalsTable,
  CostRollupProjectDailyTable,
  CostRollupProjectQuarterTable,
  CostRollupDimHourlyTable,
  CostRollupDimDailyTable,
  CostRollupTotalHourlyTable,
  CostRollupDayVersionsTable,
  ProjectBudgetsTable,
} from './schema-costs.js';
import type {
  AlertRulesTable,
  AlertChannelsTable,
  AlertChannelSecretsTable,
  AlertsTable,
  AlertRepeatsTable,
  AlertNotificationsTable,
  AlertNotificationReadsTable,
  AlertDeliveriesTable,
} from './schema-alerts.js';

export type {
  CostEventsTable,
  CostMetricSeriesTable,
  CostSourceReportsTable,
  CostRollupHourlyTable,
  CostRollupProjectHourlyTable,
  StoryCostTotalsTable,
  CostRollupProjectDailyTable,
  CostRollupProjectQuarterTable,
  CostRollupDimHourlyTable,
  CostRollupDimDailyTable,
  CostRollupTotalHourlyTable,
  CostRollupDayVersionsTable,
  ProjectBudgetsTable,
} from './schema-costs.js';
export type {
  AlertRulesTable,
  AlertChannelsTable,
  AlertChannelSecretsTable,
  AlertsTable,
  AlertRepeatsTable,
  AlertNotificationsTable,
  AlertNotificationReadsTable,
  AlertDeliveriesTable,
} from './schema-alerts.js';

/**
 * Row types of every table, snake_case as stored. Only repositories import this file; the rest of the server works
 * with the camelCase domain types of the contracts module. Instants are ISO-8601 UTC strings (fixed width, so they
 * sort as text on every backend).
 */
export interface MetaTable {
  key: string;
  value: string;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: string;
}

export interface UsersTable {
  id: string;
  email: string | null;
  display_name: string | null;
  role: string;
  password_hash: string | null;
  preferences_json: string;
  /** 'local' = an account made by the CLI or bootstrap; 'event' = known only from user.upserted events. */
  origin: string;
  version_at: string | null;
  version_key: string | null;
  created_at: string;
  updated_at: string;
  disabled_at: string | null;
  /** 1 while the account still has a password someone else chose (generated, invited): only changing it is allowed. */
  password_change_required: Generated<number>;
}

export interface AgentsTable {
  id: string;
  name: string;
  type: string;
  owner_team: string | null;
  created_at: string;
  version_at: string;
  version_key: string;
}

export interface ProjectsTable {
  id: string;
  name: string;
  owner_id: string | null;
  status: string;
  progress_pct: number | null;
  due_at: string | null;
  risk_flag: number;
  updated_at: string;
  version_at: string;
  version_key: string;
  details_json: string | null;
}

export interface StoriesTable {
  id: string;
  project_id: string | null;
  title: string | null;
  owner_id: string | null;
  epic: string | null;
  attrs_at: string | null;
  attrs_key: string | null;
  status: string | null;
  kanban_column: string | null;
  status_at: string | null;
  status_key: string | null;
  updated_at: string;
  details_json: string | null;
}

/** Raised with every write to a project's stories (migration 020): what a reader validates its cached board against. */
export interface StoryBoardVersionsTable {
  project_id: string;
  version: number;
}

export interface WorkflowsTable {
  id: string;
  project_id: string | null;
  story_id: string | null;
  name: string | null;
  owner_id: string | null;
  agent_id: string | null;
  attrs_at: string | null;
  attrs_key: string | null;
  status: string | null;
  last_transition_at: string | null;
  status_key: string | null;
  updated_at: string;
  /** When the run first went in progress, and when it reached a terminal status (null while it has not). */
  started_at: string | null;
  ended_at: string | null;
}

export interface DomainEventsTable {
  id: Generated<number>;
  event_type: string;
  entity_type: string;
  entity_id: string;
  project_id: string | null;
  story_id: string | null;
  workflow_id: string | null;
  occurred_at_utc: string;
  ingested_at_utc: string;
  source_system: string;
  source_event_id: string;
  correlation_id: string | null;
  payload_json: string;
  content_hash: string;
  sent_by: string | null;
  /** The trace and span of the request that ingested it (when tracing was on): lineage links a figure to its traces. */
  trace_id: Generated<string | null>;
  span_id: Generated<string | null>;
}

export interface WorkflowTransitionsTable {
  id: Generated<number>;
  workflow_id: string;
  event_id: number;
  from_status: string | null;
  to_status: string;
  occurred_at_utc: string;
  actor_id: string | null;
  reason: string | null;
  transition_key: string | null;
  seen_in: string | null;
  commit_hash: string | null;
  commit_subject: string | null;
}

export interface StatusTransitionsTable {
  transition_key: string;
  entity_type: string;
  entity_id: string;
  project_id: string | null;
  from_status: string | null;
  to_status: string;
  from_column: string | null;
  to_column: string | null;
  occurred_at_utc: string;
  actor_id: string | null;
  reason: string | null;
  seen_in: string | null;
  commit_hash: string | null;
  commit_subject: string | null;
  commit_path: string | null;
  committed_at_utc: string | null;
  event_id: number;
  commit_event_id: number | null;
}

export interface EpicsTable {
  id: string;
  project_id: string | null;
  epic_key: string | null;
  title: string | null;
  status: string | null;
  source_status: string | null;
  retrospective_json: string | null;
  attrs_at: string | null;
  attrs_key: string | null;
  status_at: string | null;
  status_key: string | null;
  updated_at: string;
}

export interface DocumentVersionsTable {
  document_id: string;
  occurred_at_utc: string;
  event_id: number;
  checksum: string | null;
  size_bytes: number | null;
  actor_id: string | null;
  commit_hash: string | null;
  commit_subject: string | null;
}

export interface ConnectorStateTable {
  state_key: string;
  value_json: string;
  updated_at_utc: string;
}

export interface WorkflowSessionsTable {
  session_run_id: string;
  run_id: string;
  project_id: string | null;
  story_id: string | null;
  kind: string;
  started_at: string | null;
  ended_at: string | null;
  status: string | null;
  row_json: string;
}

export interface AgentMetricsTable {
  id: Generated<number>;
  agent_id: string;
  kpi_key: string;
  unit: string;
  granularity: string;
  window_start_utc: string;
  window_end_utc: string;
  kpi_value: number | null;
  num: number;
  den: number | null;
  lineage_ref: string;
  updated_at_utc: string;
}

export interface AgentOutliersTable {
  id: Generated<number>;
  agent_metric_id: number;
  method: string;
  score: number;
  threshold: number;
  baseline_median: number;
  baseline_mad: number;
  baseline_size: number;
  flagged_at_utc: string;
  lineage_ref: string;
}

export interface AgentMetricFactsTable {
  id: Generated<number>;
  entity_type: string;
  entity_id: string;
  agent_id: string;
  kpi_key: string;
  occurred_at_utc: string;
  num: number;
  den: number | null;
  sample: number | null;
  event_ids_json: string;
}

export interface RollupCheckpointsTable {
  name: string;
  last_event_id: number;
  value: string | null;
  updated_at_utc: string;
}

export interface DocumentsTable {
  id: string;
  project_id: string | null;
  story_id: string | null;
  title: string;
  mime_type: string;
  storage_path: string | null;
  checksum: string | null;
  created_at: string;
  updated_at: string;
  root: string | null;
  path: string | null;
  size_bytes: number | null;
  kind: string | null;
  removed_at: string | null;
  version_at: string | null;
  version_key: string | null;
  /** A dated planning run that is no longer current: the path of the run that replaced it. */
  superseded_by: string | null;
}

export interface ConsistencyReportsTable {
  project_id: string;
  source: string;
  reported_at: string;
  version_key: string;
}

export interface ConsistencyFindingsTable {
  project_id: string;
  source: string;
  position: number;
  kind: string;
  story_id: string | null;
  file: string | null;
  line: number | null;
  message: string;
  expected: string | null;
  actual: string | null;
  entity: string | null;
  field: string | null;
}

/** One pass of the consistency monitor (bmad-ops verify, the schedule, or a manager's button). */
export interface ConsistencyRunsTable {
  id: Generated<number>;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  /** What started it: schedule, cli, manager. */
  trigger: string;
  /** running, ok (no difference), mismatch (findings), error. */
  result: string;
  findings: number;
  /** Events the rebuild read (the log up to this id). */
  through_event_id: number;
  /** The findings (capped) and, for an error, its message. */
  details_json: string;
}

/** The status page's SLI samples: resolution_s 0 (one raw sample) or 300 (a 5-minute bucket folding its samples). */
export interface SliSamplesTable {
  resolution_s: number;
  at_utc: string;
  /** How many samples the row folds (1 for a raw sample). */
  samples: number;
  /** Every SLI of the sample as one JSON object (src/server/modules/status/sample-codec.ts). */
  values_json: string;
}

export interface SyncStateTable {
  /** The reporting scope (the event's entity id), so several sources can report one module. */
  id: string;
  module: string;
  status: string;
  error_message: string | null;
  expected_interval_ms: number | null;
  last_attempt_at_utc: string;
  last_attempt_key: string;
  last_successful_sync_at_utc: string | null;
  note: string | null;
}

export interface ClientSessionsTable {
  id: string;
  user_id: string | null;
  connected_at_utc: string;
  last_heartbeat_at_utc: string | null;
  connection_state: string;
  last_ack_event_id: number | null;
  closed_at_utc: string | null;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  scopes_json: string;
  secret_hash: string;
  created_by: string | null;
  created_at: string;
  revoked_at: string | null;
  project_id: string | null;
  sources_json: string | null;
  expires_at: string | null;
}

export interface AuthSessionsTable {
  id: string;
  user_id: string;
  token_hash: string;
  created_at: string;
  expires_at: string;
  user_agent: string | null;
  ip: string | null;
}

/** An OpenID Connect provider's person (issuer + subject) and the local account they sign in as. */
export interface UserIdentitiesTable {
  issuer: string;
  subject: string;
  user_id: string;
  /** The email the provider last gave, for whoever reads the table; accounts are found by issuer + subject. */
  email: string | null;
  created_at: string;
  last_login_at: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  occurred_at_utc: string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: string;
  ip: string | null;
  details_json: string;
}

export interface Database {
  job_leases: JobLeasesTable;
  rate_limit_hits: RateLimitHitsTable;
  ws_presence: WsPresenceTable;
  meta: MetaTable;
  consistency_runs: ConsistencyRunsTable;
  schema_migrations: SchemaMigrationsTable;
  users: UsersTable;
  agents: AgentsTable;
  projects: ProjectsTable;
  stories: StoriesTable;
  story_board_versions: StoryBoardVersionsTable;
  workflows: WorkflowsTable;
  domain_events: DomainEventsTable;
  workflow_transitions: WorkflowTransitionsTable;
  status_transitions: StatusTransitionsTable;
  epics: EpicsTable;
  document_versions: DocumentVersionsTable;
  connector_state: ConnectorStateTable;
  cost_events: CostEventsTable;
  workflow_sessions: WorkflowSessionsTable;
  cost_metric_series: CostMetricSeriesTable;
  cost_source_reports: CostSourceReportsTable;
  cost_rollup_hourly: CostRollupHourlyTable;
  cost_rollup_project_hourly: CostRollupProjectHourlyTable;
  cost_rollup_project_daily: CostRollupProjectDailyTable;
  cost_rollup_project_quarter: CostRollupProjectQuarterTable;
  cost_rollup_dim_hourly: CostRollupDimHourlyTable;
  cost_rollup_dim_daily: CostRollupDimDailyTable;
  cost_rollup_total_hourly: CostRollupTotalHourlyTable;
  cost_rollup_day_versions: CostRollupDayVersionsTable;
  story_cost_totals: StoryCostTotalsTable;
  project_budgets: ProjectBudgetsTable;
  agent_metrics: AgentMetricsTable;
  agent_outliers: AgentOutliersTable;
  agent_metric_facts: AgentMetricFactsTable;
  rollup_checkpoints: RollupCheckpointsTable;
  documents: DocumentsTable;
  consistency_reports: ConsistencyReportsTable;
  consistency_findings: ConsistencyFindingsTable;
  sync_state: SyncStateTable;
  sli_samples: SliSamplesTable;
  client_sessions: ClientSessionsTable;
  api_keys: ApiKeysTable;
  auth_sessions: AuthSessionsTable;
  user_identities: UserIdentitiesTable;
  audit_log: AuditLogTable;
  alert_rules: AlertRulesTable;
  alert_channels: AlertChannelsTable;
  alert_channel_secrets: AlertChannelSecretsTable;
  alerts: AlertsTable;
  alert_repeats: AlertRepeatsTable;
  alert_notifications: AlertNotificationsTable;
  alert_notification_reads: AlertNotificationReadsTable;
  alert_deliveries: AlertDeliveriesTable;
}

export type DomainEventRow = Selectable<DomainEventsTable>;
