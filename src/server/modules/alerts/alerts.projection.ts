import type { Projection } from '../events/index.js';
import type { StoredEventOf } from '../events/index.js';
import { alertsRepository, type AlertRow, type NotificationRow } from './alerts.repository.js';

type AlertEvent = StoredEventOf<'alert.fired' | 'alert.resolved'>;

/**
 * alerts: one row per firing, made by alert.fired or alert.resolved (each carries the firing's identity), so the row
 * is the same in any arrival order: fired fields from the one, resolved fields from the other, resolved once either
 * resolution is seen. alert_notifications: one row per such event of a rule that notifies in the app, ordered by the
 * event's sequence number.
 */
export const alertsProjection: Projection<'alert.fired' | 'alert.resolved'> = {
  name: 'alerts',
  handles: ['alert.fired', 'alert.resolved'],
  async apply(trx, events) {
    const rows = await alertsRepository.rowsByIds(trx, [...new Set(events.map((e) => e.entityId))]);
    const touched = new Map<string, AlertRow>();
    const notifications: NotificationRow[] = [];
    for (const e of events) {
      const current = touched.get(e.entityId) ?? rows.get(e.entityId);
      touched.set(e.entityId, merge(current, e));
      if (e.payload.inApp) {
        const kind = e.type === 'alert.fired' ? 'fired' : 'resolved';
        notifications.push({ id: `${e.entityId}:${kind}`, seq: e.eventId, alert_id: e.entityId, kind, message: e.payload.message, at: e.occurredAt });
      }
    }
    await alertsRepository.upsert(trx, [...touched.values()]);
    await alertsRepository.addNotifications(trx, notifications);
  },
};

function merge(current: AlertRow | undefined, e: AlertEvent): AlertRow {
  const p = e.payload;
  const identity = {
    id: e.entityId,
    rule_id: p.ruleId,
    rule_name: p.ruleName,
    kind: p.kind,
    subject_type: p.subject.type,
    subject_id: p.subject.id,
    subject_name: p.subject.name,
    project_id: p.projectId ?? null,
    workflow_id: p.workflowId ?? null,
    in_app: p.inApp ? 1 : 0,
    fired_at: p.firedAt,
  };
  if (e.type === 'alert.fired') {
    const resolved = current?.resolved_at ?? null;
    return {
      ...identity,
      state: resolved ? 'resolved' : 'firing',
      fire_message: p.message,
      resolved_at: resolved,
      resolve_message: current?.resolve_message ?? null,
    };
  }
  return { ...identity, state: 'resolved', fire_message: current?.fire_message ?? null, resolved_at: e.occurredAt, resolve_message: p.message };
}
