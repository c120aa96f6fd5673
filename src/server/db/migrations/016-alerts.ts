import type { Migration } from './types.js';

/**
 * Alerts (issue 14 §4).
 *
 * Projected from events: alert_rules and alert_channels (alert.rule_set / _removed, alert.channel_set / _removed: the
 * newest version wins, a removal is kept as a tombstone so an older set arriving later cannot bring it back); alerts
 * (alert.fired / alert.resolved: one row per firing, either event alone makes it); alert_notifications (the in-app
 * list, one row per fired or resolved event of a rule that notifies in the app).
 *
 * Written directly, as bookkeeping rather than facts about the work: alert_channel_secrets (the URL and signing secret
 * of a channel — never in the log, which every reader can see), alert_repeats (when a firing was last sent again),
 * alert_deliveries (the delivery log: the last attempts per channel, with status code and error) and
 * alert_notification_reads (who has read which notification).
 */
export const alertsSchema: Migration = {
  version: 16,
  name: 'alerts',
  statements(db, dialect) {
    const deliveries = db.schema.createTable('alert_deliveries');
    return [
      db.schema
        .createTable('alert_rules')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text')
        .addColumn('kind', 'text')
        .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('project_id', 'text')
        .addColumn('config_json', 'text')
        .addColumn('removed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('version_at', 'text', (c) => c.notNull())
        .addColumn('version_key', 'text', (c) => c.notNull()),
      db.schema
        .createTable('alert_channels')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text')
        .addColumn('type', 'text')
        .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('target', 'text')
        .addColumn('secret_set_at', 'text')
        .addColumn('removed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('version_at', 'text', (c) => c.notNull())
        .addColumn('version_key', 'text', (c) => c.notNull()),
      db.schema
        .createTable('alert_channel_secrets')
        .addColumn('channel_id', 'text', (c) => c.primaryKey())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('signing_secret', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull()),
      db.schema
        .createTable('alerts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('rule_id', 'text', (c) => c.notNull())
        .addColumn('rule_name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('subject_type', 'text', (c) => c.notNull())
        .addColumn('subject_id', 'text', (c) => c.notNull())
        .addColumn('subject_name', 'text', (c) => c.notNull())
        .addColumn('project_id', 'text')
        .addColumn('workflow_id', 'text')
        .addColumn('in_app', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('fired_at', 'text', (c) => c.notNull())
        .addColumn('fire_message', 'text')
        .addColumn('resolved_at', 'text')
        .addColumn('resolve_message', 'text'),
      // The evaluator reads the firing ones every pass; the rules list counts them per rule.
      db.schema.createIndex('alerts_state_rule_idx').on('alerts').columns(['state', 'rule_id', 'subject_id']),
      db.schema.createIndex('alerts_rule_fired_idx').on('alerts').columns(['rule_id', 'fired_at']),
      db.schema
        .createTable('alert_repeats')
        .addColumn('alert_id', 'text', (c) => c.primaryKey())
        .addColumn('last_notified_at', 'text', (c) => c.notNull())
        .addColumn('repeats', 'integer', (c) => c.notNull().defaultTo(0)),
      db.schema
        .createTable('alert_notifications')
        .addColumn('id', 'text', (c) => c.primaryKey())
        // The event's sequence number: the list's order and its page cursor.
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('alert_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull()),
      db.schema.createIndex('alert_notifications_seq_idx').on('alert_notifications').column('seq'),
      db.schema
        .createTable('alert_notification_reads')
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('notification_id', 'text', (c) => c.notNull())
        .addColumn('read_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('alert_notification_reads_pk', ['user_id', 'notification_id']),
      (dialect === 'postgres'
        ? deliveries.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
        : deliveries.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      )
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('delivery_id', 'text', (c) => c.notNull())
        .addColumn('alert_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('error', 'text')
        .addColumn('response_excerpt', 'text')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull()),
      db.schema.createIndex('alert_deliveries_channel_idx').on('alert_deliveries').columns(['channel_id', 'id']),
    ];
  },
};
