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
