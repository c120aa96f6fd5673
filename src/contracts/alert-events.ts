import { z } from 'zod';
import { freeTextSchema, idSchema, instantSchema, labelSchema } from './primitives.js';

/**
 * Alerts as events (issue 14 §4). A manager's rule and channel changes, and the server's own firings and resolutions,
 * enter the log like everything else: the rules and channels are projected into their tables, a firing into the
 * alerts table and the in-app notification list. Channel secrets (the webhook's signing secret, the URLs, which carry
 * tokens) are never in an event: the log is readable by every reader (live stream, lineage) and outlives a rotation.
 *
 * This file imports nothing but primitives, so events.ts can spread its catalogue without an import cycle.
 */

/** What a rule watches. */
export const ALERT_KINDS = [
  'workflow_stuck',
  'needs_human',
  'budget',
  'consistency',
  'source_stale',
  'sync_failures',
  'freshness_slo',
  'stale_sessions',
  'lock_contention',
] as const;
export const alertKindSchema = z.enum(ALERT_KINDS);
export type AlertKind = z.infer<typeof alertKindSchema>;

/** Kinds about the server as a whole: they take no project. */
export const SERVER_WIDE_KINDS: readonly AlertKind[] = ['freshness_slo', 'stale_sessions', 'lock_contention'];

const minutes = (max: number) => z.number().int().min(0).max(max);
/**
 * A rule's condition: the kind and its thresholds. Defaults apply when a manager leaves a threshold out; the events
 * carry the resolved values, so a rule reads the same whatever a later version's defaults are.
 */
export const alertConditionSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('workflow_stuck'),
    statuses: z
      .array(z.enum(['blocked', 'failed']))
      .min(1)
      .max(2)
      .default(['blocked', 'failed']),
  }),
  z.strictObject({
    kind: z.literal('needs_human'),
    /** A session that ended on errors longer ago than this starts no alert (the history a new rule finds). */
    lookbackHours: z.number().int().min(1).max(720).default(24),
  }),
  z.strictObject({ kind: z.literal('budget'), level: z.enum(['at_risk', 'exceeded']).default('at_risk') }),
  z.strictObject({
    kind: z.literal('consistency'),
    /** drift: the project's records disagree (status or epic drift); all: any finding, parse errors and the monitor's included. */
    scope: z.enum(['drift', 'all']).default('all'),
    minFindings: z.number().int().min(1).max(10_000).default(1),
  }),
  z.strictObject({ kind: z.literal('source_stale') }),
  z.strictObject({ kind: z.literal('sync_failures') }),
  // The server-wide kinds compare the status page's SLIs (its 5-minute p95s and the stale-session ratio) with the rule's
  // threshold; the defaults are the page's objectives (status.ts SLOS), kept as numbers here because status.ts imports
  // events.ts. tests/integration/alerts.test.ts holds them equal.
  z.strictObject({ kind: z.literal('freshness_slo'), p95Ms: z.number().int().min(1).max(600_000).default(3000) }),
  z.strictObject({
    kind: z.literal('stale_sessions'),
    /** Share of open sessions subscribed to a stale module, 0–1. */
    ratio: z.number().min(0).max(1).default(0.05),
    /** Fewer open sessions than this say nothing (one stale laptop is 100%). */
    minSessions: z.number().int().min(1).max(100_000).default(3),
  }),
  z.strictObject({ kind: z.literal('lock_contention'), p95Ms: z.number().int().min(1).max(600_000).default(50) }),
]);
export type AlertCondition = z.output<typeof alertConditionSchema>;

/** Everything a rule is, as a manager sets it (the API body) and as alert.rule_set records it. */
export const alertRuleConfigSchema = z
  .strictObject({
    name: labelSchema(100),
    enabled: z.boolean().default(true),
    /** null: every project (and, for server-wide kinds, the server). */
    projectId: idSchema.nullable().default(null),
    condition: alertConditionSchema,
    /** The condition must hold this long before the alert fires (0: at the next evaluation). */
    forMinutes: minutes(7 * 24 * 60).default(0),
    /** While it lasts the alert is sent again this often; 0: once. */
    repeatMinutes: minutes(7 * 24 * 60).default(0),
    /** Also listed in the app's notifications (the bell). */
    inApp: z.boolean().default(true),
    channelIds: z.array(idSchema).max(10).default([]),
  })
  .superRefine((r, ctx) => {
    if (r.projectId !== null && SERVER_WIDE_KINDS.includes(r.condition.kind)) {
      ctx.addIssue({ code: 'custom', path: ['projectId'], message: 'must be null: this kind watches the whole server' });
    }
    if (new Set(r.channelIds).size !== r.channelIds.length) ctx.addIssue({ code: 'custom', path: ['channelIds'], message: 'names a channel twice' });
  });
export type AlertRuleConfig = z.output<typeof alertRuleConfigSchema>;

export const ALERT_CHANNEL_TYPES = ['webhook', 'slack'] as const;
export const alertChannelTypeSchema = z.enum(ALERT_CHANNEL_TYPES);
export type AlertChannelType = z.infer<typeof alertChannelTypeSchema>;

/** What a firing is about. */
export const ALERT_SUBJECT_TYPES = ['workflow', 'project', 'source', 'server'] as const;
const alertSubjectSchema = z.strictObject({ type: z.enum(ALERT_SUBJECT_TYPES), id: idSchema, name: labelSchema(300) });

/** The firing's identity and what it is about: alert.resolved repeats it, so either event alone makes the row. */
const firingFields = {
  ruleId: idSchema,
  ruleName: labelSchema(100),
  kind: alertKindSchema,
  subject: alertSubjectSchema,
  projectId: idSchema.nullish(),
  workflowId: idSchema.nullish(),
  firedAt: instantSchema,
  /** Listed in the app's notifications. */
  inApp: z.boolean(),
};
const alertMessage = freeTextSchema(1000).pipe(z.string().min(1));

export const ALERT_EVENT_CATALOGUE = {
  /** A manager set a rule (created or changed it); the payload is the whole rule. */
  'alert.rule_set': {
    entityType: 'alert_rule',
    payload: z.strictObject({ rule: alertRuleConfigSchema, actorId: idSchema.nullish() }),
  },
  'alert.rule_removed': { entityType: 'alert_rule', payload: z.strictObject({ actorId: idSchema.nullish() }) },
  /** A manager set a channel. `target` is what may be shown (the URL's host); the URL and secret are kept apart. */
  'alert.channel_set': {
    entityType: 'alert_channel',
    payload: z.strictObject({
      name: labelSchema(100),
      type: alertChannelTypeSchema,
      enabled: z.boolean(),
      target: labelSchema(255),
      /** When the URL or signing secret last changed (their values are never in the log). */
      secretSetAt: instantSchema,
      actorId: idSchema.nullish(),
    }),
  },
  'alert.channel_removed': { entityType: 'alert_channel', payload: z.strictObject({ actorId: idSchema.nullish() }) },
  /** The evaluator found a rule's condition true for a subject long enough. */
  'alert.fired': { entityType: 'alert', payload: z.strictObject({ ...firingFields, message: alertMessage }) },
  /** The condition stopped holding (or the rule was turned off): the alert closes with this message. */
  'alert.resolved': { entityType: 'alert', payload: z.strictObject({ ...firingFields, message: alertMessage }) },
} as const;
