import type { Generated } from 'kysely';

/** Row types of the alerts module's tables (see schema.ts, which re-exports them and lists every table in Database). */

/** Alert rules (projected from alert.rule_set / alert.rule_removed; migration 016). */
export interface AlertRulesTable {
  id: string;
  /** Null only on a removal seen before any set. */
  name: string | null;
  kind: string | null;
  enabled: number;
  project_id: string | null;
  /** The whole rule as alert.rule_set carried it (contracts AlertRuleConfig). */
  config_json: string | null;
  removed: number;
  created_at: string;
  updated_at: string;
  version_at: string;
  version_key: string;
}

/** Alert channels (projected from alert.channel_set / alert.channel_removed). */
export interface AlertChannelsTable {
  id: string;
  name: string | null;
  type: string | null;
  enabled: number;
  /** The URL's host, for display. */
  target: string | null;
  secret_set_at: string | null;
  removed: number;
  created_at: string;
  updated_at: string;
  version_at: string;
  version_key: string;
}

/** A channel's URL and signing secret: written directly, never in an event, never returned. */
export interface AlertChannelSecretsTable {
  channel_id: string;
  url: string;
  signing_secret: string | null;
  updated_at: string;
}

/** One firing of a rule for a subject (projected from alert.fired / alert.resolved). */
export interface AlertsTable {
  id: string;
  rule_id: string;
  rule_name: string;
  kind: string;
  subject_type: string;
  subject_id: string;
  subject_name: string;
  project_id: string | null;
  workflow_id: string | null;
  in_app: number;
  /** firing | resolved */
  state: string;
  fired_at: string;
  /** Null only while alert.resolved has been seen and alert.fired not yet. */
  fire_message: string | null;
  resolved_at: string | null;
  resolve_message: string | null;
}

/** When a firing alert was last sent again (the evaluator's bookkeeping). */
export interface AlertRepeatsTable {
  alert_id: string;
  last_notified_at: string;
  repeats: number;
}

/** The in-app notification list (projected from alert events of rules that notify in the app). */
export interface AlertNotificationsTable {
  id: string;
  seq: number;
  alert_id: string;
  /** fired | resolved */
  kind: string;
  message: string;
  at: string;
}

export interface AlertNotificationReadsTable {
  user_id: string;
  notification_id: string;
  read_at: string;
}

/** The delivery log: every attempt to post to a channel, the last few per channel kept. */
export interface AlertDeliveriesTable {
  id: Generated<number>;
  channel_id: string;
  delivery_id: string;
  alert_id: string | null;
  kind: string;
  attempt: number;
  outcome: string;
  status_code: number | null;
  error: string | null;
  response_excerpt: string | null;
  duration_ms: number;
  at: string;
}
