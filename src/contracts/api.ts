import { z } from 'zod';
import { costTotalSchema } from './costs.js';
import { CONSISTENCY_KINDS, moduleSchema, projectDetailsSchema, seenInSchema, storyDetailsSchema, retrospectiveSchema } from './events.js';
import { currencySchema, idSchema } from './primitives.js';
import { statusSchema } from './status-model.js';
import { versionStampSchema } from './version-order.js';

// ---------- errors ----------
export const fieldErrorSchema = z.object({ path: z.string(), message: z.string() });
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.array(fieldErrorSchema).optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

// ---------- query helpers ----------
const csvOf = <T extends z.ZodType<string, string>>(item: T) =>
  z
    .string()
    .max(500)
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item).min(1, 'must name at least one value').max(20));

const booleanParam = z.enum(['true', 'false']).transform((v) => v === 'true');
const intParam = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

export const paginationQuery = {
  page: intParam(1, 100_000).default(1),
  pageSize: intParam(1, 200).default(50),
};

export const idParamsSchema = z.strictObject({ id: idSchema });

export const workflowsQuerySchema = z.strictObject({
  status: csvOf(statusSchema).optional(),
  ownerId: idSchema.optional(),
  projectId: idSchema.optional(),
  agentId: idSchema.optional(),
  storyId: idSchema.optional(),
  ...paginationQuery,
});
export type WorkflowsQuery = z.output<typeof workflowsQuerySchema>;

export const transitionsQuerySchema = z.strictObject({ limit: intParam(1, 1000).default(100) });

export const projectsQuerySchema = z.strictObject({
  status: csvOf(statusSchema).optional(),
  ownerId: idSchema.optional(),
  riskFlag: booleanParam.optional(),
  overdue: booleanParam.optional(),
  ...paginationQuery,
});
export type ProjectsQuery = z.output<typeof projectsQuerySchema>;

export const storiesQuerySchema = z.strictObject({
  projectId: idSchema.optional(),
  column: z.string().min(1).max(64).optional(),
  status: csvOf(statusSchema).optional(),
  ...paginationQuery,
});
export type StoriesQuery = z.output<typeof storiesQuerySchema>;

export const kanbanQuerySchema = z.strictObject({ projectId: idSchema });

/** A person moving a card. `from` is the status they saw: a mismatch means someone else moved it first (409). */
export const storyStatusChangeBodySchema = z.strictObject({
  to: statusSchema,
  from: statusSchema.optional(),
  reason: z.string().trim().max(2000).optional(),
});
export type StoryStatusChange = z.output<typeof storyStatusChangeBodySchema>;

// ---------- resources ----------
const instant = z.string().datetime({ offset: true });

/**
 * The event a row's fields were last taken from (null: none yet, or a server that did not say). A client folding live
 * events onto the row compares each one with it (isNewerVersion), exactly as the server's projection did.
 */
const builtFrom = versionStampSchema.nullable().default(null);

export const workflowSchema = z.object({
  id: z.string(),
  projectId: z.string().nullable(),
  storyId: z.string().nullable(),
  /** The story's title, for labels (null: no story, or a story not known yet). */
  storyTitle: z.string().nullable().default(null),
  name: z.string().nullable(),
  ownerId: z.string().nullable(),
  agentId: z.string().nullable(),
  status: statusSchema.nullable(),
  lastTransitionAt: instant.nullable(),
  updatedAt: instant,
  /** When the run was first seen working, and when it reached done, failed or canceled (null while it has not). */
  startedAt: instant.nullable().default(null),
  endedAt: instant.nullable().default(null),
  /**
   * What the run's LLM requests cost (its own and those of the Claude Code sessions that did its work), per currency;
   * null when no request is known for it — unknown, not zero.
   */
  cost: z
    .object({
      totals: z.array(z.object({ currency: z.string(), amount: z.number() })),
      requests: z.number().int(),
      /** Requests of models with no known price: their cost is not in the totals. */
      unpriced: z.number().int(),
      tokens: z.object({ input: z.number(), output: z.number(), cacheWrite: z.number(), cacheRead: z.number() }),
    })
    .nullable()
    .default(null),
  /** The Claude Code sessions that did this run's work (a run made from a session lists itself). */
  sessions: z.array(z.object({ id: z.string(), startedAt: instant.nullable(), endedAt: instant.nullable(), status: statusSchema.nullable() })).default([]),
  /** Name, project, story, owner and agent come from the newest workflow.upserted; the status from any newer event. */
  attrsVersion: builtFrom,
  statusVersion: builtFrom,
});
export type Workflow = z.infer<typeof workflowSchema>;
export type WorkflowCost = NonNullable<Workflow['cost']>;

/** A git commit as the UI shows it: its hash, and its subject line when known. */
export const commitSummarySchema = z.object({ hash: z.string(), subject: z.string().nullable() });

export const transitionSchema = z.object({
  id: z.number().int(),
  workflowId: z.string(),
  eventId: z.number().int(),
  fromStatus: statusSchema.nullable(),
  toStatus: statusSchema,
  occurredAt: instant,
  actorId: z.string().nullable(),
  reason: z.string().nullable(),
  /** Where it was seen: a commit (with its hash), the working tree, the dashboard; null for events that do not say. */
  seenIn: seenInSchema.nullable().default(null),
  commit: commitSummarySchema.nullable().default(null),
});
export type Transition = z.infer<typeof transitionSchema>;

/**
 * What a story or project has cost so far: known totals per currency (never mixed) and how many records carry no
 * amount (unpriced). `unavailable` when nothing was recorded or nothing recorded has an amount: shown as "—", never 0.
 */
export const costToDateSchema = z.object({
  availability: z.enum(['available', 'unavailable']),
  totals: z.array(costTotalSchema),
  unpricedEvents: z.number().int().min(0),
});
export type CostToDate = z.infer<typeof costToDateSchema>;

/**
 * A project's cost to date divided by its done stories, per currency. `unavailable` with the reason when there is no
 * done story (nothing to divide by) or no known cost (nothing to divide).
 */
export const costPerDoneStorySchema = z.object({
  availability: z.enum(['available', 'unavailable']),
  reason: z.enum(['no_done_stories', 'no_cost']).nullable(),
  amounts: z.array(z.object({ currency: currencySchema, amount: z.number() })),
});
export type CostPerDoneStory = z.infer<typeof costPerDoneStorySchema>;

export const projectSchema = z.object({
  id: z.string(),
  name: z.string(),
  ownerId: z.string().nullable(),
  status: statusSchema,
  /** null means unknown, never zero. */
  progressPct: z.number().nullable(),
  dueAt: instant.nullable(),
  riskFlag: z.boolean(),
  overdue: z.boolean(),
  updatedAt: instant,
  /** Cost to date of the cost records naming this project (the same rows /costs?projectId= sums). */
  cost: costToDateSchema.optional(),
  /** Stories of the project whose status is done. */
  doneStories: z.number().int().min(0).optional(),
  costPerDoneStory: costPerDoneStorySchema.optional(),
  /** What the source knows beyond the common fields (BMAD: layout and version, action items, readiness, deferred work). */
  details: projectDetailsSchema.nullable().default(null),
  rowVersion: builtFrom,
});
export type Project = z.infer<typeof projectSchema>;

/** An epic (BMAD's epic-N, or an epic of the ticket layout) with its status and retrospective. */
export const epicSchema = z.object({
  id: z.string(),
  projectId: z.string().nullable(),
  key: z.string().nullable(),
  title: z.string().nullable(),
  status: statusSchema.nullable(),
  sourceStatus: z.string().nullable(),
  retrospective: retrospectiveSchema.nullable(),
  statusSince: instant.nullable(),
  updatedAt: instant,
});
export type Epic = z.infer<typeof epicSchema>;

export const findingSchema = z.object({
  kind: z.enum(CONSISTENCY_KINDS),
  storyId: z.string().nullable(),
  file: z.string().nullable(),
  line: z.number().int().nullable(),
  message: z.string(),
  expected: z.string().nullable(),
  actual: z.string().nullable(),
  entity: z.string().nullable().default(null),
  field: z.string().nullable().default(null),
});
export type Finding = z.infer<typeof findingSchema>;

export const storyDetailsResponseSchema = z.object({
  key: z.string().nullable(),
  tasksDone: z.number().int().nullable(),
  tasksTotal: z.number().int().nullable(),
  agentModel: z.string().nullable(),
  file: z.string().nullable(),
  sourceStatus: z.string().nullable(),
  records: storyDetailsSchema.shape.records.unwrap().unwrap().nullable().default(null),
  reviewFindings: storyDetailsSchema.shape.reviewFindings.unwrap().unwrap().nullable().default(null),
  deferred: storyDetailsSchema.shape.deferred.unwrap().unwrap().nullable().default(null),
  baselineCommit: z.string().nullable().default(null),
  assignee: z.string().nullable().default(null),
});

export type StoryDetailsResponse = z.infer<typeof storyDetailsResponseSchema>;

/** A source's story details as stored and served: every field present, so no reader has to guess what "missing" meant. */
export function storyDetailsOf(d: z.output<typeof storyDetailsSchema> | null | undefined): StoryDetailsResponse | null {
  if (!d) return null;
  return {
    key: d.key ?? null,
    tasksDone: d.tasksDone ?? null,
    tasksTotal: d.tasksTotal ?? null,
    agentModel: d.agentModel ?? null,
    file: d.file ?? null,
    sourceStatus: d.sourceStatus ?? null,
    records: d.records ?? null,
    reviewFindings: d.reviewFindings ?? null,
    deferred: d.deferred ?? null,
    baselineCommit: d.baselineCommit ?? null,
    assignee: d.assignee ?? null,
  };
}

export const storySchema = z.object({
  id: z.string(),
  projectId: z.string().nullable(),
  title: z.string().nullable(),
  ownerId: z.string().nullable(),
  status: statusSchema.nullable(),
  kanbanColumn: z.string().nullable(),
  epic: z.string().nullable(),
  statusSince: instant.nullable(),
  updatedAt: instant,
  /** Source-specific facts (BMAD: key, tasks, model, file); null when the source sent none. */
  details: storyDetailsResponseSchema.nullable().default(null),
  /** Open consistency findings about this story (e.g. its file disagrees with sprint-status.yaml). */
  findings: z.array(findingSchema).default([]),
  /**
   * Cost to date of the records naming this story. The API always sends it; it is absent only on a story a client
   * built from a live event before reading it from the server.
   */
  cost: costToDateSchema.optional(),
  /** As a workflow's: the attributes from the newest story.upserted, status and column from any newer event. */
  attrsVersion: builtFrom,
  statusVersion: builtFrom,
});
export type Story = z.infer<typeof storySchema>;

/** MIME types the viewer renders inline; anything else gets an explicit fallback, never a guess. */
export const RENDERABLE_MIME_TYPES = ['text/markdown', 'application/pdf', 'application/json', 'text/plain', 'application/yaml'] as const;

export const documentVersionSchema = z.object({
  at: instant,
  checksum: z.string().nullable(),
  sizeBytes: z.number().int().nullable(),
  actorId: z.string().nullable(),
  commit: commitSummarySchema.nullable(),
  eventId: z.number().int(),
});
export type DocumentVersion = z.infer<typeof documentVersionSchema>;

export const documentSchema = z.object({
  id: z.string(),
  projectId: z.string().nullable(),
  storyId: z.string().nullable(),
  title: z.string(),
  mimeType: z.string(),
  checksum: z.string().nullable(),
  createdAt: instant,
  updatedAt: instant.optional(),
  /** The document root it lives under and its path there (never an absolute server path). */
  root: z.string().nullable().optional(),
  path: z.string().nullable().optional(),
  sizeBytes: z.number().int().nullable().optional(),
  kind: z.string().nullable().optional(),
  renderable: z.boolean().optional(),
  /** A dated planning run that a newer run replaced: the path of the current one. */
  supersededBy: z.string().nullable().optional(),
  /** GET /documents/:id only: its versions, newest first (each registration; commits with their hash). */
  versions: z.array(documentVersionSchema).optional(),
  /** The registration (or removal) the metadata is from; not one of `versions`, which are kept per instant. */
  rowVersion: builtFrom,
});

export const documentsQuerySchema = z.strictObject({
  projectId: idSchema.optional(),
  storyId: idSchema.optional(),
  kind: z.string().min(1).max(64).optional(),
  ...paginationQuery,
});
export type DocumentsQuery = z.output<typeof documentsQuerySchema>;

/** GET /documents/:id/content for a type outside RENDERABLE_MIME_TYPES, or content that cannot be served. */
export const documentContentFallbackSchema = z.object({
  renderable: z.literal(false),
  reason: z.string(),
  mimeType: z.string(),
  sizeBytes: z.number().int().nullable(),
});

export const integritySchema = z.object({
  projectId: z.string(),
  findings: z.array(findingSchema),
  reportedAt: instant.nullable(),
});
export type Integrity = z.infer<typeof integritySchema>;
export type DocumentMeta = z.infer<typeof documentSchema>;

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    page: z.number().int().min(1),
    pageSize: z.number().int().min(1),
    total: z.number().int().min(0),
  });
export type Page<T> = { items: T[]; page: number; pageSize: number; total: number };

export const workflowPageSchema = pageOf(workflowSchema);
export const projectPageSchema = pageOf(projectSchema);
export const storyPageSchema = pageOf(storySchema);
export const transitionListSchema = z.object({ items: z.array(transitionSchema) });

export const documentPageSchema = pageOf(documentSchema);

export const projectContextSchema = z.object({
  project: projectSchema,
  stories: z.array(storySchema),
  workflows: z.array(workflowSchema),
  documents: z.array(documentSchema),
  epics: z.array(epicSchema).default([]),
  truncated: z.object({ stories: z.boolean(), workflows: z.boolean(), documents: z.boolean() }),
});

/** One agent and model's share of a story's cost (null: records that name no agent, or no model). */
export const costShareSchema = z.object({
  agentId: z.string().nullable(),
  model: z.string().nullable(),
  totals: z.array(costTotalSchema),
  unpricedEvents: z.number().int().min(0),
});
export type CostShare = z.infer<typeof costShareSchema>;

/**
 * One status change of a story or an epic, once however often it was reported: from, to (canonical and the source's
 * own column), when (the earliest time it was seen), who, and where it was seen (a commit, the working tree, the
 * dashboard).
 */
export const statusChangeSchema = z.object({
  transitionKey: z.string(),
  fromStatus: statusSchema.nullable(),
  toStatus: statusSchema,
  fromColumn: z.string().nullable(),
  toColumn: z.string().nullable(),
  occurredAt: instant,
  actorId: z.string().nullable(),
  reason: z.string().nullable(),
  seenIn: seenInSchema.nullable(),
  commit: commitSummarySchema.nullable(),
  /** The event that reported it first (its time is the transition's), for lineage. */
  eventId: z.number().int(),
});
export type StatusChange = z.infer<typeof statusChangeSchema>;

/** GET /stories/:id: the story (with its cost to date and findings), its workflow runs, documents and cost breakdown. */
export const storyDetailSchema = z.object({
  story: storySchema,
  workflows: z.array(workflowSchema),
  documents: z.array(documentSchema),
  costByAgentModel: z.array(costShareSchema),
  /** Its status history, oldest first (at most 500 changes; `truncated.history` says when there were more). */
  history: z.array(statusChangeSchema).default([]),
  truncated: z.object({ workflows: z.boolean(), documents: z.boolean(), history: z.boolean().default(false) }),
});
export type StoryDetail = z.infer<typeof storyDetailSchema>;

export const kanbanBoardSchema = z.object({
  projectId: z.string(),
  columns: z.array(
    z.object({
      key: z.string(),
      status: statusSchema.nullable(),
      count: z.number().int(),
      cards: z.array(storySchema),
    }),
  ),
});
export type KanbanBoard = z.infer<typeof kanbanBoardSchema>;

export const syncModuleStatusSchema = z.object({
  module: moduleSchema,
  status: z.enum(['ok', 'failed', 'unknown']),
  lastSuccessfulSyncAt: instant.nullable(),
  lastAttemptAt: instant.nullable(),
  error: z.string().nullable(),
  isStale: z.boolean(),
  /** Why the module is stale, for a person; null when fresh. */
  reason: z.string().nullable(),
  sources: z.array(
    z.object({
      source: z.string(),
      status: z.enum(['ok', 'failed']),
      lastSuccessfulSyncAt: instant.nullable(),
      lastAttemptAt: instant,
      expectedIntervalMs: z.number().int().nullable(),
      error: z.string().nullable(),
      /** What the source says a person should know that is not a failure (how a project's history was read). */
      note: z.string().nullable().default(null),
    }),
  ),
});
export const syncStatusSchema = z.object({ modules: z.array(syncModuleStatusSchema), generatedAt: instant });
export type SyncStatus = z.infer<typeof syncStatusSchema>;

/** `checks` and `uptimeSec` only for a manager or a key with the metrics scope; anyone else sees the status alone. */
export const healthSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  checks: z
    .object({
      database: z.object({ ok: z.boolean(), error: z.string().optional() }),
      migrations: z.object({ ok: z.boolean(), applied: z.number().int(), expected: z.number().int() }),
      publisher: z.object({ ok: z.boolean(), subscribers: z.number().int() }),
      /** Whether writes reach the disk; when not, why (full disk, I/O error) and since when. */
      storage: z.looseObject({ ok: z.boolean() }).optional(),
    })
    .optional(),
  uptimeSec: z.number().optional(),
});

// ---------- auth ----------
export const ROLES = ['viewer', 'operator', 'manager'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;
export const KEY_SCOPES = ['ingest', 'read', 'metrics'] as const;
export const keyScopeSchema = z.enum(KEY_SCOPES);
export type KeyScope = z.infer<typeof keyScopeSchema>;

export const loginBodySchema = z.strictObject({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(1024),
  /** CLI and scripts: also return the session token in the body. A browser never asks: it gets the HttpOnly cookie only. */
  issueToken: z.boolean().optional(),
});
export const meSchema = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string().nullable(),
  role: roleSchema,
  preferences: z.record(z.string(), z.unknown()),
  /** Signed in with a generated or invited password: the app asks for a new one before anything else. */
  passwordChangeRequired: z.boolean(),
});
export type Me = z.infer<typeof meSchema>;
export const PASSWORD_MIN_LENGTH = 12;
export const changePasswordBodySchema = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  newPassword: z.string().min(PASSWORD_MIN_LENGTH, `at least ${PASSWORD_MIN_LENGTH} characters`).max(1024),
});
export const preferencesBodySchema = z.strictObject({
  theme: z.enum(['light', 'dark', 'system']).optional(),
});
export const loginResponseSchema = z.object({ token: z.string().optional(), expiresAt: instant, user: meSchema });

// ---------- workspace and directory (what the web app needs to label and filter) ----------
export const workspaceInfoSchema = z.object({
  /** The data was seeded by the demo generator: the UI must label it as demo data. */
  demo: z.boolean(),
  /** Whether people with the operator or manager role may move Kanban cards (BMAD_OPS_KANBAN_EDITABLE). */
  kanbanEditable: z.boolean(),
});
export type WorkspaceInfo = z.infer<typeof workspaceInfoSchema>;

/** Names for the ids the read models carry, for labels and filter choices. */
export const directorySchema = z.object({
  projects: z.array(z.object({ id: z.string(), name: z.string() })),
  agents: z.array(z.object({ id: z.string(), name: z.string(), type: z.string() })),
  people: z.array(z.object({ id: z.string(), displayName: z.string().nullable(), email: z.string().nullable() })),
});
export type Directory = z.infer<typeof directorySchema>;
