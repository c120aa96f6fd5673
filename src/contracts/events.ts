import { z } from 'zod';
import { STATUS_MODEL, isStatusAllowed, isTransitionAllowed, statusSchema, type StatusEntity } from './status-model.js';
import { currencySchema, emailSchema, freeTextSchema, idSchema, instantSchema, labelSchema } from './primitives.js';
import { ALERT_EVENT_CATALOGUE } from './alert-events.js';

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

/** Where a status change was seen: a commit of the project's git history, a working-tree change, the dashboard. */
export const SEEN_IN = ['commit', 'working_tree', 'dashboard', 'api', 'claude_code'] as const;
export const seenInSchema = z.enum(SEEN_IN);
export type SeenIn = z.infer<typeof seenInSchema>;

/** A git commit an observation came from (sha-1 or sha-256 object name). */
export const commitRefSchema = z.strictObject({
  hash: z.string().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/, 'must be a full git object name (40 or 64 hex digits)'),
  committedAt: instantSchema.nullish(),
  subject: freeTextSchema(300).nullish(),
  /** The file whose change showed the observation, relative to the project root. */
  path: z.string().min(1).max(1024).nullish(),
});

function transitionPayload(entity: StatusEntity) {
  return z
    .strictObject({
      to: statusFor(entity),
      from: statusFor(entity).nullish(),
      actorId: optionalId,
      reason: freeTextSchema().nullish(),
      /** The source's own column before and after (BMAD: "review" -> "in-progress" is rework, both in_progress). */
      column: labelSchema(64).nullish(),
      fromColumn: labelSchema(64).nullish(),
      /**
       * The same change reported twice (seen in the working tree, then in a commit; a commit rewritten by a rebase)
       * carries the same key: read models keep it as one transition, at the earliest time it was seen.
       */
      transitionKey: idSchema.nullish(),
      seenIn: seenInSchema.nullish(),
      commit: commitRefSchema.nullish(),
    })
    .superRefine((p, ctx) => {
      const sameColumn = (p.column ?? null) === (p.fromColumn ?? null);
      if (p.from && p.from === p.to && sameColumn) {
        ctx.addIssue({ code: 'custom', path: ['to'], message: 'must differ from `from` (or name a different `column`)' });
      } else if (p.from && p.from !== p.to && !isTransitionAllowed(entity, p.from, p.to)) {
        ctx.addIssue({
          code: 'custom',
          path: ['to'],
          message: `${p.from} -> ${p.to} is not an allowed ${entity} transition (see GET /api/v1/meta/status-model)`,
        });
      }
    });
}

const tokenCount = z.number().int().min(0).max(1e12);
/** An OTLP timestamp: nanoseconds since the epoch, as decimal digits (past 2^53, so not a JSON number). */
const nanosSchema = z.string().regex(/^\d{1,20}$/, 'must be nanoseconds since the epoch as decimal digits');

/** One place a story's status is written (BMAD keeps several, and they drift: BMAD-METHOD #2341). */
export const STORY_RECORD_KINDS = ['sprint-status', 'story-file', 'spec', 'plan', 'tickets'] as const;
export const storyRecordSchema = z.strictObject({
  kind: z.enum(STORY_RECORD_KINDS),
  file: z.string().min(1).max(1024),
  line: z.number().int().min(1).max(10_000_000).nullish(),
  value: labelSchema(64).nullish(),
});

/** Findings a code review appended to the story (`### Review Findings`: `- [ ] [Review][Patch] …`). */
export const reviewFindingsSchema = z.strictObject({
  open: z.number().int().min(0).max(100_000),
  resolved: z.number().int().min(0).max(100_000),
  deferred: z.number().int().min(0).max(100_000),
  decisions: z.number().int().min(0).max(100_000),
});

/** An item a build or review left for later (Build Auto `deferred:`, `deferred-work.md`). */
export const deferredItemSchema = z.strictObject({
  summary: freeTextSchema(500).pipe(z.string().min(1)),
  severity: labelSchema(32).nullish(),
  file: z.string().min(1).max(1024).nullish(),
  /** Where it came from: "code review of 2-1-x.md (2026-05-03)", the spec that deferred it. */
  origin: freeTextSchema(300).nullish(),
});
export type DeferredItem = z.output<typeof deferredItemSchema>;

export const storyDetailsSchema = z.strictObject({
  key: labelSchema(128).nullish(),
  tasksDone: z.number().int().min(0).max(100_000).nullish(),
  tasksTotal: z.number().int().min(0).max(100_000).nullish(),
  agentModel: labelSchema(200).nullish(),
  /** Path of the story file relative to its project root. */
  file: z.string().min(1).max(1024).nullish(),
  /** The status exactly as the source wrote it (e.g. BMAD's "ready-for-dev" or "Ready for Review"). */
  sourceStatus: labelSchema(64).nullish(),
  /** Every record of the story's status (sprint-status.yaml, story file, Build spec, plan file) with its value. */
  records: z.array(storyRecordSchema).max(20).nullish(),
  reviewFindings: reviewFindingsSchema.nullish(),
  deferred: z.array(deferredItemSchema).max(200).nullish(),
  /** The commit a build started from (Build spec `baseline_commit`), or NO_VCS. */
  baselineCommit: labelSchema(80).nullish(),
  /** Who is assigned in the source (ticket layout `assignee`). */
  assignee: labelSchema(200).nullish(),
});

/** Relative, forward-slash, no "..": a path inside a document root, never a way out of it. */
export const relativePathSchema = z
  .string()
  .min(1)
  .max(1024)
  .refine((p) => !p.startsWith('/') && !/^[A-Za-z]:/.test(p) && !p.includes('\\') && !p.split('/').some((s) => s === '..' || s === ''), {
    message: 'must be a relative path inside the document root (no leading /, no .., no backslashes)',
  });

/**
 * status_drift … epic_drift: a BMAD project's files disagree with each other (the connector). projection_mismatch: a
 * read model differs from what the event log rebuilds; cross_view_mismatch: two views of the same figure disagree (the
 * consistency monitor).
 */
export const CONSISTENCY_KINDS = ['status_drift', 'unknown_status', 'parse_error', 'epic_drift', 'projection_mismatch', 'cross_view_mismatch'] as const;
export const consistencyFindingSchema = z.strictObject({
  kind: z.enum(CONSISTENCY_KINDS),
  storyId: idSchema.nullish(),
  file: z.string().min(1).max(1024).nullish(),
  line: z.number().int().min(1).max(10_000_000).nullish(),
  message: freeTextSchema(1000).pipe(z.string().min(1)),
  /** For drift: the value the source of truth holds (sprint-status.yaml) and the one that disagrees (the story file). */
  expected: labelSchema(64).nullish(),
  actual: labelSchema(64).nullish(),
  /** For the monitor: which row (`workflow wf-1`, `kanban column review`) and which of its fields disagrees. */
  entity: labelSchema(200).nullish(),
  field: labelSchema(100).nullish(),
});
export type ConsistencyFinding = z.output<typeof consistencyFindingSchema>;

/** An action item a retrospective left (sprint-status.yaml `action_items`). */
export const actionItemSchema = z.strictObject({
  id: labelSchema(200).nullish(),
  epic: labelSchema(64).nullish(),
  action: freeTextSchema(1000).pipe(z.string().min(1)),
  owner: labelSchema(200).nullish(),
  /** open | in-progress | done, as written. */
  status: labelSchema(64).nullish(),
  /** The retrospective document it came from. */
  ref: z.string().min(1).max(1024).nullish(),
});
export type ActionItem = z.output<typeof actionItemSchema>;

export const READINESS_GATES = ['PASS', 'CONCERNS', 'FAIL', 'READY', 'NEEDS WORK', 'NOT READY'] as const;
export const readinessSchema = z.strictObject({
  gate: z.enum(READINESS_GATES),
  file: z.string().min(1).max(1024),
  at: instantSchema.nullish(),
});

export const RETRO_VERDICTS = ['accepted', 'accepted-with-open-items', 'rejected'] as const;
export const retrospectiveSchema = z.strictObject({
  /** optional | done (sprint-status.yaml), as written. */
  status: labelSchema(64).nullish(),
  verdict: z.enum(RETRO_VERDICTS).nullish(),
  file: z.string().min(1).max(1024).nullish(),
});

export const projectDetailsSchema = z.strictObject({
  /** Which BMAD wrote it: the layout the connector detected and the version it names, when known. */
  layout: labelSchema(64).nullish(),
  version: labelSchema(64).nullish(),
  actionItems: z.array(actionItemSchema).max(500).nullish(),
  readiness: readinessSchema.nullish(),
  deferredWork: z.array(deferredItemSchema).max(500).nullish(),
});
export type ProjectDetails = z.output<typeof projectDetailsSchema>;

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
      /** What a source knows beyond the common fields (the BMAD connector: version, action items, readiness, deferred work). */
      details: projectDetailsSchema.nullish(),
    }),
  },
  'epic.upserted': {
    entityType: 'epic',
    payload: z.strictObject({
      projectId: idSchema,
      /** The source's own key ("3" for BMAD's epic-3, a slug in the ticket layout). */
      key: labelSchema(128),
      title: labelSchema(500).nullish(),
      status: statusFor('epic'),
      sourceStatus: labelSchema(64).nullish(),
      retrospective: retrospectiveSchema.nullish(),
    }),
  },
  'epic.status_changed': { entityType: 'epic', payload: transitionPayload('epic') },
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
      /** Where the run's start was seen (a commit of the project's history, the working tree, …). */
      seenIn: seenInSchema.nullish(),
      commit: commitRefSchema.nullish(),
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
            /** All cache writes; when the split below is known it is their sum. */
            cacheWrite: tokenCount.nullish(),
            /** Cache writes kept 5 minutes (1.25× input) and 1 hour (2× input), when the sender split them. */
            cacheWrite5m: tokenCount.nullish(),
            cacheWrite1h: tokenCount.nullish(),
            cacheRead: tokenCount.nullish(),
          })
          .nullish(),
        /**
         * The LLM API request this cost is for (Claude Code's `requestId` / `request_id`). The cost read model keeps
         * one cost per request id, whichever path (transcript, OTLP event, API) brought it first.
         */
        requestId: labelSchema(128).nullish(),
        /** The Claude Code session (a sub-agent has its own id and names its parent). */
        sessionId: labelSchema(128).nullish(),
        parentSessionId: labelSchema(128).nullish(),
        /** The BMAD skill or slash command the request ran under (`bmad-create-story`, `/bmad:bmm:workflows:dev-story`). */
        skill: labelSchema(128).nullish(),
        /** The BMAD workflow that skill is (`dev-story`, `create-prd`), for cost by workflow. */
        workflow: labelSchema(64).nullish(),
        /** Claude Code's `usage.speed` / `service_tier`: priced with the table's multiplier when it defines one. */
        speed: labelSchema(32).nullish(),
        serviceTier: labelSchema(32).nullish(),
        durationMs: z.number().int().min(0).max(86_400_000).nullish(),
        /** How the cost arrived: a transcript line, an OTLP log event, the remainder of an OTLP metric, or the API. */
        via: z.enum(['transcript', 'otlp_event', 'otlp_metric', 'api']).nullish(),
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
  /**
   * One point of Claude Code's `claude_code.cost.usage` or `claude_code.token.usage` metric for one session and model
   * (from the OTLP receiver). A metric is an aggregate, not a request: the cost read model sums a session's points and
   * books only what they say beyond the requests already itemized for that session and model (see the README).
   */
  'cost.usage_reported': {
    entityType: 'cost',
    payload: z.strictObject({
      projectId: optionalId,
      agentId: optionalId,
      workflowId: optionalId,
      storyId: optionalId,
      sessionId: labelSchema(128),
      model: labelSchema(128),
      skill: labelSchema(128).nullish(),
      workflow: labelSchema(64).nullish(),
      /** `cost` (in `currency`) or a token type of `token.usage`. */
      metric: z.enum(['cost', 'input', 'output', 'cacheRead', 'cacheCreation']),
      temporality: z.enum(['delta', 'cumulative']),
      /** Identifies the series (its resource and attributes, hashed): a cumulative value is the series' total since `startTimeUnixNano`. */
      series: labelSchema(64),
      startTimeUnixNano: nanosSchema,
      timeUnixNano: nanosSchema,
      value: z.number().finite().min(0).max(1e12),
      currency: currencySchema.nullish(),
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
      mimeType: z
        .string()
        .min(3)
        .max(128)
        .regex(/^[a-z0-9][a-z0-9.+-]*\/[a-z0-9][a-z0-9.+-]*$/, 'must be a MIME type such as text/markdown'),
      /** Where the content lives: a path relative to the document root `root` names (see documents.roots). */
      root: idSchema.max(64),
      path: relativePathSchema,
      checksum: z
        .string()
        .regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256:<64 hex digits>')
        .nullish(),
      sizeBytes: z.number().int().min(0).max(1e12).nullish(),
      /** What the document is: prd, architecture, epics, story, qa-gate, ... */
      kind: labelSchema(64).nullish(),
      /** A dated run that is no longer the current one keeps its place as an earlier version of `supersededBy`. */
      supersededBy: z.string().min(1).max(1024).nullish(),
      /** This version as a commit of the project's history, and who made it. */
      commit: commitRefSchema.nullish(),
      actorId: optionalId,
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
        /** Something a person should know that is not a failure ("no _bmad/ config: BMAD's default paths are used"). */
        note: freeTextSchema(1000).nullish(),
        expectedIntervalMs: z
          .number()
          .int()
          .min(1000)
          .max(7 * 24 * 3600 * 1000)
          .nullish(),
      })
      .superRefine((p, ctx) => {
        if (p.status === 'failed' && !p.error) {
          ctx.addIssue({ code: 'custom', path: ['error'], message: 'is required when status is failed' });
        }
      }),
  },
  // Alert rules, channels, firings and resolutions (alert-events.ts).
  ...ALERT_EVENT_CATALOGUE,
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
