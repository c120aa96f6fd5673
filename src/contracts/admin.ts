import { z } from 'zod';
import { keyScopeSchema, roleSchema } from './api.js';
import { emailSchema, idSchema, instantSchema, labelSchema } from './primitives.js';

/**
 * Settings → People, API keys and Audit: what a manager reads and sends under /api/v1/admin. Every route needs the
 * manager role; every change is audited with the manager as actor.
 */

const instant = z.string().datetime({ offset: true });

// ---------- people ----------

export const adminAccountSchema = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string().nullable(),
  role: roleSchema,
  disabled: z.boolean(),
  disabledAt: instant.nullable(),
  /** The account still has a password someone else saw (an invite, a reset): its owner must choose one at sign-in. */
  passwordChangeRequired: z.boolean(),
  createdAt: instant,
  /** Sessions signed in now (not expired); open dashboards hold one each. */
  activeSessions: z.number().int().min(0),
  /** The last successful sign-in the audit log knows of; null: never signed in. */
  lastSignInAt: instant.nullable(),
});
export type AdminAccount = z.infer<typeof adminAccountSchema>;
export const adminAccountListSchema = z.object({ items: z.array(adminAccountSchema) });

export const inviteBodySchema = z.strictObject({
  email: emailSchema,
  role: roleSchema,
  displayName: labelSchema(100).optional(),
});
export type InviteBody = z.output<typeof inviteBodySchema>;

/** An invite or a password reset: the password is shown this once and must be replaced at the next sign-in. */
export const oneTimePasswordResponseSchema = z.object({
  account: adminAccountSchema,
  oneTimePassword: z.string(),
});
export type OneTimePasswordResponse = z.infer<typeof oneTimePasswordResponseSchema>;

export const accountPatchBodySchema = z
  .strictObject({ role: roleSchema.optional(), disabled: z.boolean().optional() })
  .refine((b) => b.role !== undefined || b.disabled !== undefined, { message: 'name a role or disabled to change' });
export type AccountPatchBody = z.output<typeof accountPatchBodySchema>;

export const sessionsEndedResponseSchema = z.object({ account: adminAccountSchema, sessionsEnded: z.number().int().min(0) });

// ---------- API keys ----------

export const KEY_STATES = ['active', 'expired', 'revoked'] as const;

/** Who made something the audit log knows of: a person (by name), the CLI (by the system user), the server itself. */
export const actorRefSchema = z.object({
  type: z.enum(['user', 'key', 'cli', 'system', 'anonymous']),
  id: z.string().nullable(),
  /** A person's display name or email, a key's name, the system user who ran the CLI; null when nobody is known. */
  name: z.string().nullable(),
});
export type ActorRef = z.infer<typeof actorRefSchema>;

export const adminKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(keyScopeSchema),
  /** The event sources an ingest key may write; 'any': any but the server's own (a trusted integration). */
  sources: z.union([z.array(z.string()), z.literal('any')]),
  projectId: z.string().nullable(),
  /** The bound project's name; null when unbound, or bound to a project not connected (yet). */
  projectName: z.string().nullable(),
  createdAt: instant,
  createdBy: actorRefSchema.nullable(),
  expiresAt: instant.nullable(),
  revokedAt: instant.nullable(),
  state: z.enum(KEY_STATES),
});
export type AdminKey = z.infer<typeof adminKeySchema>;
export const adminKeyListSchema = z.object({ items: z.array(adminKeySchema) });

/** The server's own event sources (the dashboard's actions, the OTLP receiver, the demo workspace, the consistency monitor): no key writes them. */
export const SERVER_SOURCES: readonly string[] = ['bmad-ops-ui', 'otlp', 'bmad-ops-demo', 'bmad-ops-monitor', 'bmad-ops-alerts'];

/**
 * The source a new key writes when none is named: its name as a slug ("Ana's laptop" → "ana-s-laptop"), never one of
 * the server's own. The same rule as `bmad-ops key create` (src/server/cli/key-commands.ts has its own copy).
 */
export function sourceNamedAfter(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9._:-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return slug === '' || SERVER_SOURCES.includes(slug) ? `key-${slug || 'source'}` : slug;
}

/** A source name as ingestion accepts one (1–64 characters, no control characters), never one of the server's. */
const sourceNameSchema = labelSchema(64).refine((s) => !SERVER_SOURCES.includes(s), { message: "is the server's own source: no key may write it" });

/**
 * The same rules as `bmad-ops key create`: with no `sources` an ingest key writes one source named after the key;
 * 'any' lets it write any but the server's own; a project binding needs the ingest scope (it limits what a key sends).
 * Expiry: a date-time, or a number of days from now, not both.
 */
export const createKeyBodySchema = z
  .strictObject({
    name: labelSchema(100),
    scopes: z
      .array(keyScopeSchema)
      .min(1, 'choose at least one scope')
      .max(3)
      .transform((s) => [...new Set(s)]),
    sources: z.union([z.array(sourceNameSchema).min(1, 'name at least one source, or send "any"').max(20), z.literal('any')]).optional(),
    projectId: idSchema.optional(),
    expiresAt: instantSchema.optional(),
    expiresInDays: z.number().int().min(1).max(3650).optional(),
  })
  .superRefine((b, ctx) => {
    if (b.expiresAt !== undefined && b.expiresInDays !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['expiresInDays'], message: 'give expiresAt or expiresInDays, not both' });
    }
    if (b.projectId !== undefined && !b.scopes.includes('ingest')) {
      ctx.addIssue({ code: 'custom', path: ['projectId'], message: 'binds what a key sends: it needs the ingest scope' });
    }
  });
export type CreateKeyBody = z.output<typeof createKeyBodySchema>;

/** The key itself is in this answer only: the server keeps its hash. */
export const createdKeyResponseSchema = z.object({ apiKey: adminKeySchema, key: z.string() });
export type CreatedKeyResponse = z.infer<typeof createdKeyResponseSchema>;

// ---------- audit log ----------

export const AUDIT_OUTCOMES = ['success', 'failure'] as const;

/** The actions the server records, for filter choices (the log may hold others, from newer or older versions). */
export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.logout',
  'user.create',
  'user.set_role',
  'user.disable',
  'user.enable',
  'user.revoke_sessions',
  'user.reset_password',
  'user.set_password',
  'user.change_password',
  'key.create',
  'key.revoke',
  'project.budget_set',
  'project.budget_clear',
  'story.status_change',
  'alert.rule_create',
  'alert.rule_update',
  'alert.rule_remove',
  'alert.channel_create',
  'alert.channel_update',
  'alert.channel_remove',
  'alert.channel_test',
] as const;

const cursorParam = z
  .string()
  .regex(/^\d{1,15}$/, 'must be a cursor from a previous page')
  .transform(Number);
const pageSizeParam = z
  .string()
  .regex(/^\d{1,3}$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.number().int().min(1).max(200));

/** `action` is one action ("user.disable") or every action of a kind ("user.*"). Newest first, paged by `cursor`. */
export const auditQuerySchema = z
  .strictObject({
    action: z
      .string()
      .max(64)
      .regex(/^[a-z][a-z_]*\.(?:[a-z_]+|\*)$/, 'must be an action such as user.disable, or user.* for every user action')
      .optional(),
    actorId: idSchema.optional(),
    targetId: idSchema.optional(),
    outcome: z.enum(AUDIT_OUTCOMES).optional(),
    from: instantSchema.optional(),
    to: instantSchema.optional(),
    cursor: cursorParam.optional(),
    pageSize: pageSizeParam.default(50),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { path: ['to'], message: 'must not be before from' });
export type AuditQuery = z.output<typeof auditQuerySchema>;

export const auditEntrySchema = z.object({
  id: z.number().int(),
  occurredAt: instant,
  actor: actorRefSchema,
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  /** The target's name where one is known (a person, a key, a project, a story); null otherwise. */
  targetName: z.string().nullable(),
  outcome: z.enum(AUDIT_OUTCOMES),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntryView = z.infer<typeof auditEntrySchema>;

export const auditPageSchema = z.object({
  items: z.array(auditEntrySchema),
  pageSize: z.number().int().min(1),
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type AuditPage = z.infer<typeof auditPageSchema>;
