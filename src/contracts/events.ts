import { z } from 'zod';
import { STATUS_MODEL, isStatusAllowed, isTransitionAllowed, statusSchema, type StatusEntity } from './status-model.js';
import { currencySchema, emailSchema, freeTextSchema, idSchema, instantSchema, labelSchema } from './primitives.js';

/** Modules a source can report sync health for, and the WebSocket topics of the real-time gateway. */
export const MODULES = ['workflow', 'project', 'story', 'cost', 'agent', 'sync', 'document'] as const;
export const moduleSchema = z.enum(MODULES);
export type Module = z.infer<typeof moduleSchema>;

const optionalId = idSchema.nullish();

function statusFor(entity: StatusEntity) {
  return statusSchema.refine((s) => isStatusAllowed(entity, s), {
    message: `is not a ${entity} status (allowed: ${STATUS_MODEL[entity].statuses.join(', ')})`,
  });
}

function transitionPayload(entity: StatusEntity) {
  return z
    .strictObject({
      to: statusFor(entity),
      from: statusFor(entity).nullish(),
      actorId: optionalId,
      reason: freeTextSchema().nullish(),
    })
    .superRefine((p, ctx) => {
      if (p.from && p.from === p.to) {
        ctx.addIssue({ code: 'custom', path: ['to'], message: 'must differ from `from`' });
      } else if (p.from && !isTransitionAllowed(entity, p.from, p.to)) {
        ctx.addIssue({
          code: 'custom',
          path: ['to'],
          message: `${p.from} -> ${p.to} is not an allowed ${entity} transition (see GET /api/v1/meta/status-model)`,
        });
      }
    });
}

const tokenCount = z.number().int().min(0).max(1e12);

export const storyDetailsSchema = z.strictObject({
  key: labelSchema(128).nullish(),
  tasksDone: z.number().int().min(0).max(100_000).nullish(),
  tasksTotal: z.number().int().min(0).max(100_000).nullish(),
  agentModel: labelSchema(200).nullish(),
  /** Path of the story file relative to its project root. */
  file: z.string().min(1).max(1024).nullish(),
  /** The status exactly as the source wrote it (e.g. BMAD's "ready-for-dev" or "Ready for Review"). */
  sourceStatus: labelSchema(64).nullish(),
});
export type StoryDetails = z.output<typeof storyDetailsSchema>;

/** Relative, forward-slash, no "..": a path inside a document root, never a way out of it. */
export const relativePathSchema = z
  .string()
  .min(1)
  .max(1024)
  .refine((p) => !p.startsWith('/') && !/^[A-Za-z]:/.test(p) && !p.includes('\\') && !p.split('/').some((s) => s === '..' || s === ''), {
    message: 'must be a relative path inside the document root (no leading /, no .., no backslashes)',
  });

export const CONSISTENCY_KINDS = ['status_drift', 'unknown_status', 'parse_error'] as const;
export const consistencyFindingSchema = z.strictObject({
  kind: z.enum(CONSISTENCY_KINDS),
  storyId: idSchema.nullish(),
  file: z.string().min(1).max(1024).nullish(),
  line: z.number().int().min(1).max(10_000_000).nullish(),
  message: freeTextSchema(1000).pipe(z.string().min(1)),
  /** For drift: the value the source of truth holds (sprint-status.yaml) and the one that disagrees (the story file). */
  expected: labelSchema(64).nullish(),
  actual: labelSchema(64).nullish(),
});
export type ConsistencyFinding = z.output<typeof consistencyFindingSchema>;

/** Payload schema per event type: the catalogue. Each type names the entity type its envelope must carry. */
export const EVENT_CATALOGUE = {
  'project.upserted': {
    entityType: 'project',
    payload: z.strictObject({
      name: labelSchema(),
      ownerId: optionalId,
      status: statusFor('project'),
      progressPct: z.number().min(0).max(100).nullish(),
      dueAt: instantSchema.nullish(),
      riskFlag: z.boolean().nullish(),
    }),
  },
  'story.upserted': {
    entityType: 'story',
    payload: z.strictObject({
      projectId: idSchema,
      title: labelSchema(500),
      ownerId: optionalId,
      status: statusFor('story'),
      kanbanColumn: labelSchema(64).nullish(),
      epic: labelSchema().nullish(),
      /** What a source knows beyond the common fields (the BMAD connector: story key, task checkboxes, model, file). */
      details: storyDetailsSchema.nullish(),
    }),
  },
  'story.status_changed': { entityType: 'story', payload: transitionPayload('story') },
  'workflow.upserted': {
    entityType: 'workflow',
    payload: z.strictObject({
      projectId: optionalId,
      storyId: optionalId,
      name: labelSchema(),
      ownerId: optionalId,
      agentId: optionalId,
      status: statusFor('workflow'),
    }),
  },
  'workflow.transitioned': { entityType: 'workflow', payload: transitionPayload('workflow') },
  'agent.upserted': {
    entityType: 'agent',
    payload: z.strictObject({ name: labelSchema(), type: labelSchema(64), ownerTeam: labelSchema().nullish() }),
  },
  'user.upserted': {
    entityType: 'user',
    payload: z.strictObject({ email: emailSchema, displayName: labelSchema() }),
  },
  'cost.recorded': {
    entityType: 'cost',
    payload: z
      .strictObject({
        amount: z.number().finite().min(0).max(1e9).nullish(),
        currency: currencySchema.nullish(),
        projectId: optionalId,
        agentId: optionalId,
        workflowId: optionalId,
        storyId: optionalId,
        model: labelSchema(128).nullish(),
        tokens: z
          .strictObject({
            input: tokenCount.nullish(),
            output: tokenCount.nullish(),
            cacheWrite: tokenCount.nullish(),
            cacheRead: tokenCount.nullish(),
          })
          .nullish(),
      })
      .superRefine((p, ctx) => {
        if (p.amount == null && p.tokens == null) {
          ctx.addIssue({ code: 'custom', path: ['amount'], message: 'either amount or tokens is required' });
        }
        if (p.amount != null && p.currency == null) {
          ctx.addIssue({ code: 'custom', path: ['currency'], message: 'is required when amount is given' });
        }
      }),
  },
  /** A project's monthly budget (UTC calendar month) in one currency; amount null clears it. */
  'project.budget_set': {
    entityType: 'project',
    payload: z
      .strictObject({
        amount: z.number().finite().positive().max(1e9).nullable(),
        currency: currencySchema.nullish(),
      })
      .superRefine((p, ctx) => {
        if (p.amount !== null && p.currency == null) {
          ctx.addIssue({ code: 'custom', path: ['currency'], message: 'is required when amount is given' });
        }
      }),
  },
  'document.registered': {
    entityType: 'document',
    payload: z.strictObject({
      projectId: optionalId,
      storyId: optionalId,
      title: labelSchema(500),
      mimeType: z.string().min(3).max(128).regex(/^[a-z0-9][a-z0-9.+-]*\/[a-z0-9][a-z0-9.+-]*$/, 'must be a MIME type such as text/markdown'),
      /** Where the content lives: a path relative to the document root `root` names (see documents.roots). */
      root: idSchema.max(64),
      path: relativePathSchema,
      checksum: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256:<64 hex digits>').nullish(),
      sizeBytes: z.number().int().min(0).max(1e12).nullish(),
      /** What the document is: prd, architecture, epics, story, qa-gate, ... */
      kind: labelSchema(64).nullish(),
    }),
  },
  'document.removed': {
    entityType: 'document',
    payload: z.strictObject({ reason: freeTextSchema(500).nullish() }),
  },
  /** The full current set of consistency findings for one project from one source: it replaces the previous set. */
  'consistency.reported': {
    entityType: 'project',
    payload: z.strictObject({ findings: z.array(consistencyFindingSchema).max(5000) }),
  },
  'sync.reported': {
    entityType: 'sync',
    payload: z
      .strictObject({
        module: moduleSchema,
        status: z.enum(['ok', 'failed']),
        error: freeTextSchema(4000).nullish(),
        expectedIntervalMs: z.number().int().min(1000).max(7 * 24 * 3600 * 1000).nullish(),
      })
      .superRefine((p, ctx) => {
        if (p.status === 'failed' && !p.error) {
          ctx.addIssue({ code: 'custom', path: ['error'], message: 'is required when status is failed' });
        }
      }),
  },
} as const satisfies Record<string, { entityType: string; payload: z.ZodType }>;

export type EventType = keyof typeof EVENT_CATALOGUE;
export const EVENT_TYPES = Object.keys(EVENT_CATALOGUE) as EventType[];
export const eventTypeSchema = z.enum(EVENT_TYPES as [EventType, ...EventType[]]);

export type EventPayloads = { [K in EventType]: z.output<(typeof EVENT_CATALOGUE)[K]['payload']> };

/** The envelope as a sender posts it; the payload is validated separately, per type. */
export const eventEnvelopeSchema = z.strictObject({
  id: idSchema,
  source: idSchema.max(64),
  type: eventTypeSchema,
  occurredAt: instantSchema,
  entity: z.strictObject({ type: z.string().max(32), id: idSchema }),
  projectId: optionalId,
  storyId: optionalId,
  workflowId: optionalId,
  correlationId: optionalId,
  payload: z.record(z.string(), z.unknown()),
});
export type EventEnvelope = z.output<typeof eventEnvelopeSchema>;

interface IncomingEventBase<K extends EventType> {
  sourceEventId: string;
  source: string;
  type: K;
  occurredAt: string;
  entityType: string;
  entityId: string;
  projectId: string | null;
  storyId: string | null;
  workflowId: string | null;
  correlationId: string | null;
  payload: EventPayloads[K];
}

/** A fully validated event, normalised (UTC instants, context filled from the payload where it names one). */
export type IncomingEvent = { [K in EventType]: IncomingEventBase<K> }[EventType];

export type FieldError = { path: string; message: string };
