import { z } from 'zod';
import { alertChannelTypeSchema, alertConditionSchema, alertKindSchema, alertRuleConfigSchema, ALERT_SUBJECT_TYPES } from './alert-events.js';
import { idSchema, labelSchema } from './primitives.js';

/**
 * /api/v1/alerts: rules and channels for managers (Settings → Alerts), the in-app notification list for everyone
 * signed in. Secrets go in, never come out: a channel answers whether its URL and secret are set, not what they are.
 */

export * from './alert-events.js';

const instant = z.string().datetime({ offset: true });

// ---------- rules ----------

/** POST /alerts/rules and PUT /alerts/rules/:id: the whole rule (a PUT replaces it). */
export const alertRuleBodySchema = alertRuleConfigSchema;
export type AlertRuleBody = z.output<typeof alertRuleBodySchema>;

const channelRefSchema = z.object({ id: z.string(), name: z.string(), type: alertChannelTypeSchema, enabled: z.boolean() });

export const alertRuleSchema = z.object({
  id: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  projectId: z.string().nullable(),
  /** The project's name; null for a rule over every project (or when the project is no longer known). */
  projectName: z.string().nullable(),
  condition: alertConditionSchema,
  forMinutes: z.number().int(),
  repeatMinutes: z.number().int(),
  inApp: z.boolean(),
  /** The channels it notifies that still exist, by name. */
  channels: z.array(channelRefSchema),
  createdAt: instant,
  updatedAt: instant,
  /** Alerts of this rule firing now, and when it last fired. */
  firing: z.number().int().min(0),
  lastFiredAt: instant.nullable(),
});
export type AlertRule = z.infer<typeof alertRuleSchema>;
export const alertRuleListSchema = z.object({ items: z.array(alertRuleSchema) });

// ---------- channels ----------

/** Only http(s): an alert never reaches a file, a data URL or another scheme. The URL is a secret (it carries tokens). */
export const webhookUrlSchema = z
  .string()
  .trim()
  .max(2048)
  .pipe(z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' }));
/** A shared HMAC key: long enough to resist guessing, printable (it is typed or pasted). */
export const signingSecretSchema = z
  .string()
  .min(16, 'must be at least 16 characters')
  .max(256)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

export const alertChannelCreateSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('webhook'),
    name: labelSchema(100),
    url: webhookUrlSchema,
    /** Leave out to have one generated (shown once, in the answer). */
    secret: signingSecretSchema.optional(),
    enabled: z.boolean().default(true),
  }),
  z.strictObject({
    type: z.literal('slack'),
    name: labelSchema(100),
    /** A Slack incoming webhook (https://hooks.slack.com/services/…) or a Slack-compatible one (Mattermost, Rocket.Chat). */
    url: webhookUrlSchema,
    enabled: z.boolean().default(true),
  }),
]);
export type AlertChannelCreate = z.output<typeof alertChannelCreateSchema>;

/** PATCH /alerts/channels/:id: what is given changes; a URL or secret left out stays as it is. */
export const alertChannelPatchSchema = z
  .strictObject({
    name: labelSchema(100).optional(),
    enabled: z.boolean().optional(),
    url: webhookUrlSchema.optional(),
    secret: signingSecretSchema.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'must change something (name, enabled, url or secret)' });
export type AlertChannelPatch = z.output<typeof alertChannelPatchSchema>;

export const DELIVERY_KINDS = ['fired', 'repeated', 'resolved', 'test'] as const;
/** delivered: a 2xx; retrying: failed, another attempt follows; failed: failed for good (attempts spent, or not retryable). */
export const DELIVERY_OUTCOMES = ['delivered', 'retrying', 'failed'] as const;

export const alertDeliverySchema = z.object({
  id: z.number().int(),
  /** Same for every attempt of one message: receivers deduplicate on it (X-BMAD-Ops-Delivery). */
  deliveryId: z.string(),
  alertId: z.string().nullable(),
  kind: z.enum(DELIVERY_KINDS),
  attempt: z.number().int().min(1),
  outcome: z.enum(DELIVERY_OUTCOMES),
  statusCode: z.number().int().nullable(),
  error: z.string().nullable(),
  /** The start of the receiver's answer (at most 200 characters); the rest is not kept. */
  responseExcerpt: z.string().nullable(),
  durationMs: z.number().int().min(0),
  at: instant,
});
export type AlertDelivery = z.infer<typeof alertDeliverySchema>;
export const alertDeliveryListSchema = z.object({ items: z.array(alertDeliverySchema) });

export const alertChannelSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: alertChannelTypeSchema,
  enabled: z.boolean(),
  /** Where it posts, as far as may be shown: the URL's host. */
  target: z.string(),
  /** Whether the URL (and, for a webhook, the signing secret) are set — never their values. */
  urlSet: z.boolean(),
  secretSet: z.boolean(),
  secretSetAt: instant,
  createdAt: instant,
  updatedAt: instant,
  /** Rules that notify it, by name. */
  usedBy: z.array(z.object({ id: z.string(), name: z.string() })),
  lastDelivery: alertDeliverySchema.nullable(),
  /** The newest attempt that did not deliver (its error stays visible after later successes). */
  lastError: alertDeliverySchema.nullable(),
});
export type AlertChannel = z.infer<typeof alertChannelSchema>;
export const alertChannelListSchema = z.object({ items: z.array(alertChannelSchema) });

/** A created channel; `secret` only when the server generated it, and only in this answer. */
export const alertChannelCreatedSchema = z.object({ channel: alertChannelSchema, secret: z.string().nullable() });

export const alertChannelTestSchema = z.object({ delivery: alertDeliverySchema });

// ---------- in-app notifications ----------

export const NOTIFICATION_KINDS = ['fired', 'resolved'] as const;

export const alertNotificationSchema = z.object({
  id: z.string(),
  alertId: z.string(),
  kind: z.enum(NOTIFICATION_KINDS),
  ruleName: z.string(),
  alertKind: alertKindSchema,
  subjectType: z.enum(ALERT_SUBJECT_TYPES),
  subjectId: z.string(),
  subjectName: z.string(),
  projectId: z.string().nullable(),
  projectName: z.string().nullable(),
  message: z.string(),
  at: instant,
  /** Whether the alert is still firing now (a fired notice of an alert since resolved says so). */
  stillFiring: z.boolean(),
  read: z.boolean(),
});
export type AlertNotification = z.infer<typeof alertNotificationSchema>;

const limitParam = z
  .string()
  .regex(/^\d{1,3}$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.number().int().min(1).max(100));

export const deliveriesQuerySchema = z.strictObject({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(200))
    .default(50),
});

export const notificationsQuerySchema = z.strictObject({
  /** A cursor from the previous page's nextCursor: older notifications. */
  before: z
    .string()
    .regex(/^\d{1,15}$/, 'must be a cursor from a previous page')
    .transform(Number)
    .optional(),
  limit: limitParam.default(30),
  unread: z.enum(['true', 'false']).optional(),
});
export type NotificationsQuery = z.output<typeof notificationsQuerySchema>;

export const notificationPageSchema = z.object({
  items: z.array(alertNotificationSchema),
  unread: z.number().int().min(0),
  nextCursor: z.string().nullable(),
});
export type NotificationPage = z.infer<typeof notificationPageSchema>;

export const unreadCountSchema = z.object({ unread: z.number().int().min(0) });

/** Mark some notifications read, or every one there is now. */
export const markReadBodySchema = z
  .strictObject({ ids: z.array(idSchema).min(1).max(200).optional(), all: z.literal(true).optional() })
  .refine((b) => (b.ids === undefined) !== (b.all === undefined), { message: 'give either ids or all: true' });
export type MarkReadBody = z.output<typeof markReadBodySchema>;
