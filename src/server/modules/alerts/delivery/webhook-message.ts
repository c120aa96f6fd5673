import { createHmac } from 'node:crypto';
import { kindLabel, type AlertNotice } from './alert-notice.js';

const SIGNATURE_HEADER = 'X-BMAD-Ops-Signature';
const TIMESTAMP_HEADER = 'X-BMAD-Ops-Timestamp';
const DELIVERY_HEADER = 'X-BMAD-Ops-Delivery';
const EVENT_HEADER = 'X-BMAD-Ops-Event';

/**
 * The signature of a webhook delivery: HMAC-SHA256 with the channel's secret over `<timestamp>.<raw body>`, where
 * the timestamp is the X-BMAD-Ops-Timestamp header (Unix seconds). Signing the timestamp with the body lets a
 * receiver refuse a replayed delivery (reject timestamps more than a few minutes off its clock).
 */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The generic webhook's JSON body (README "Alerts" documents it). */
export function webhookBody(n: AlertNotice, deliveryId: string, sentAt: string): string {
  return JSON.stringify({
    type: `alert.${n.kind}`,
    deliveryId,
    sentAt,
    alert: {
      id: n.alertId,
      state: n.state,
      message: n.message,
      rule: { id: n.rule.id, name: n.rule.name, kind: n.rule.kind, kindLabel: kindLabel(n.rule.kind) },
      subject: n.subject,
      project: n.project,
      firedAt: n.firedAt,
      resolvedAt: n.resolvedAt,
    },
  });
}

/** Headers of one attempt: signed anew each time (the timestamp moves), same delivery id across retries. */
export function webhookHeaders(n: AlertNotice, body: string, deliveryId: string, secret: string | null, nowMs: number): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    [EVENT_HEADER]: `alert.${n.kind}`,
    [DELIVERY_HEADER]: deliveryId,
    [TIMESTAMP_HEADER]: timestamp,
    ...(secret ? { [SIGNATURE_HEADER]: signature(secret, timestamp, body) } : {}),
  };
}
