import { z } from 'zod';
import { EVENT_TYPES, type EventType } from './events.js';
import { idSchema, instantSchema } from './primitives.js';
import { DAY_MS, HOUR_MS } from './time.js';

/**
 * Agent analytics: the KPI catalogue, per-agent trends rolled up by hour and day, robust outliers, and lineage from
 * any figure down to the events it was computed from.
 */

export const KPI_KEYS = [
  'workflows_completed',
  'failure_rate',
  'median_cycle_time',
  'time_blocked',
  'rework_rate',
  'cost',
  'cost_per_completed_story',
  'tokens_per_completed_story',
] as const;
export const kpiKeySchema = z.enum(KPI_KEYS);
export type KpiKey = z.infer<typeof kpiKeySchema>;

/** How a KPI's unit is named: a fixed unit, or the currency of the cost records (one series per currency). */
export const KPI_UNITS = ['count', 'ratio', 'hours', 'currency', 'tokens'] as const;
export type KpiUnit = (typeof KPI_UNITS)[number];

/** How bucket values combine into a longer window: sums add, ratios divide summed parts, medians need the samples. */
export const KPI_AGGREGATIONS = ['sum', 'ratio', 'median'] as const;

export const kpiDefinitionSchema = z.object({
  id: kpiKeySchema,
  name: z.string(),
  unit: z.enum(KPI_UNITS),
  direction: z.enum(['higher_is_better', 'lower_is_better']),
  aggregation: z.enum(KPI_AGGREGATIONS),
  definition: z.string(),
  /** Event types a value of this KPI can be computed from (its lineage lists events of these types only). */
  sourceEvents: z.array(z.enum(EVENT_TYPES as [EventType, ...EventType[]])),
});
export type KpiDefinition = z.output<typeof kpiDefinitionSchema>;

export const OUTLIER_METHODS = ['peer_mad', 'history_mad'] as const;
export const outlierMethodSchema = z.enum(OUTLIER_METHODS);

export const kpiCatalogueSchema = z.object({
  kpis: z.array(kpiDefinitionSchema),
  outliers: z.object({
    methods: z.array(z.object({ id: outlierMethodSchema, description: z.string() })),
    /** |modified z| above which a value is flagged. */
    threshold: z.number(),
    /** Fewest values a baseline needs before anything is scored against it. */
    minPeers: z.number().int(),
    minHistory: z.number().int(),
    historyDays: z.number().int(),
  }),
  buckets: z.array(z.enum(['hour', 'day'])),
});
export type KpiCatalogue = z.output<typeof kpiCatalogueSchema>;

// ---------- queries ----------

export const ANALYTICS_MAX_RANGE_DAYS = 400;
export const ANALYTICS_MAX_POINTS = 10_000;

const csvOf = <T extends z.ZodType<string, string>>(item: T, max: number) =>
  z
    .string()
    .max(4000)
    .transform((s) => [
      ...new Set(
        s
          .split(',')
          .map((x) => x.trim())
          .filter((x) => x.length > 0),
      ),
    ])
    .pipe(z.array(item).min(1).max(max));

function checkRange(q: { start: string; end: string }, ctx: z.RefinementCtx): boolean {
  if (Date.parse(q.start) >= Date.parse(q.end)) {
    ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be after start' });
    return false;
  }
  if (Date.parse(q.end) - Date.parse(q.start) > ANALYTICS_MAX_RANGE_DAYS * DAY_MS) {
    ctx.addIssue({ code: 'custom', path: ['end'], message: `must be at most ${ANALYTICS_MAX_RANGE_DAYS} days after start` });
    return false;
  }
  return true;
}

/** How many items one answer holds (1 to 1,000, 200 when not given). */
const limitParam = z
  .string()
  .regex(/^\d{1,4}$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.number().int().min(1).max(1000))
  .default(200);

export const trendsQuerySchema = z
  .strictObject({
    /** Omitted: every agent with a value in the range (at most 50). */
    agentIds: csvOf(idSchema, 50).optional(),
    kpis: csvOf(kpiKeySchema, KPI_KEYS.length).default([...KPI_KEYS]),
    start: instantSchema,
    end: instantSchema,
    bucket: z.enum(['hour', 'day']).default('day'),
  })
  .superRefine((q, ctx) => {
    if (!checkRange(q, ctx)) return;
    const period = q.bucket === 'hour' ? HOUR_MS : DAY_MS;
    const buckets = Math.ceil((Date.parse(q.end) - Date.parse(q.start)) / period) + 1;
    if (buckets > ANALYTICS_MAX_POINTS)
      ctx.addIssue({ code: 'custom', path: ['bucket'], message: `would give more than ${ANALYTICS_MAX_POINTS} buckets per series` });
  });
export type TrendsQuery = z.output<typeof trendsQuerySchema>;

export const outliersQuerySchema = z
  .strictObject({
    agentIds: csvOf(idSchema, 50).optional(),
    kpi: kpiKeySchema.optional(),
    start: instantSchema,
    end: instantSchema,
    limit: limitParam,
  })
  .superRefine((q, ctx) => void checkRange(q, ctx));
export type OutliersQuery = z.output<typeof outliersQuerySchema>;

export const lineageParamsSchema = z.strictObject({
  lineageRef: z
    .string()
    .min(1)
    .max(200)
    .regex(/^(metric|event):[A-Za-z0-9_-]+$/, 'must be a lineage reference such as metric:… or event:…'),
});
export const lineageQuerySchema = z.strictObject({
  limit: limitParam,
  /** The last event id of the previous page. */
  after: z
    .string()
    .regex(/^\d{1,15}$/, 'must be an event id')
    .transform(Number)
    .optional(),
});

// ---------- responses ----------

export const trendPointSchema = z.object({
  start: z.string(),
  end: z.string(),
  /** null: no source events for this agent and KPI in the bucket (or nothing to divide by) — unknown, not zero. */
  value: z.number().nullable(),
  /** Null when there is no value. */
  lineageRef: z.string().nullable(),
});

export const trendSeriesSchema = z.object({
  agentId: z.string(),
  kpi: kpiKeySchema,
  /** The KPI's unit; for money KPIs the currency code (one series per currency). */
  unit: z.string(),
  points: z.array(trendPointSchema),
});
export type TrendSeries = z.output<typeof trendSeriesSchema>;

export const trendsResponseSchema = z.object({
  bucket: z.enum(['hour', 'day']),
  start: z.string(),
  end: z.string(),
  series: z.array(trendSeriesSchema),
  /** How far the rollup has got: events after this id are not counted yet. */
  rollup: z.object({ throughEventId: z.number().int(), headEventId: z.number().int(), lagEvents: z.number().int() }),
});
export type TrendsResponse = z.output<typeof trendsResponseSchema>;

export const outlierSchema = z.object({
  id: z.number().int(),
  agentId: z.string(),
  kpi: kpiKeySchema,
  unit: z.string(),
  windowStart: z.string(),
  windowEnd: z.string(),
  value: z.number(),
  method: outlierMethodSchema,
  /** Modified z-score: 0.6745·(value − median) / MAD. */
  score: z.number(),
  threshold: z.number(),
  baselineMedian: z.number(),
  baselineMad: z.number(),
  baselineSize: z.number().int(),
  /** higher/lower than the baseline, and whether that is worse given the KPI's direction. */
  side: z.enum(['above', 'below']),
  worse: z.boolean(),
  why: z.string(),
  flaggedAt: z.string(),
  lineageRef: z.string(),
});
export type Outlier = z.output<typeof outlierSchema>;

export const outliersResponseSchema = z.object({ items: z.array(outlierSchema) });
export type OutliersResponse = z.output<typeof outliersResponseSchema>;

export const lineageEventSchema = z.object({
  eventId: z.number().int(),
  type: z.enum(EVENT_TYPES as [EventType, ...EventType[]]),
  entityType: z.string(),
  entityId: z.string(),
  occurredAt: z.string(),
  source: z.string(),
  /** The credential that delivered it (`key:<id>`, `user:<id>`); null for what the server read or derived itself. */
  sentBy: z.string().nullable().default(null),
  /** What that credential is called (an API key's name), when it still exists. */
  sentByName: z.string().nullable().default(null),
  projectId: z.string().nullable(),
  storyId: z.string().nullable(),
  workflowId: z.string().nullable(),
  /** What the event contributed, in the KPI's unit (cost amount, hours blocked, ...); null when it only qualifies. */
  contribution: z.number().nullable(),
  summary: z.string(),
  /** The git commit the event was read from (the BMAD connector's history), when it was. */
  commit: z.object({ hash: z.string(), subject: z.string().nullable() }).nullable().default(null),
  /** The OpenTelemetry trace of the request that ingested the event (32 hex digits), when tracing was on and it was kept. */
  traceId: z.string().nullable().default(null),
  /** App paths to drill into: the workflow, the story, documents of that story. */
  links: z.array(z.object({ kind: z.enum(['workflow', 'story', 'project', 'document']), id: z.string(), label: z.string(), href: z.string() })),
});
export type LineageEvent = z.output<typeof lineageEventSchema>;

export const lineageResponseSchema = z.object({
  lineageRef: z.string(),
  /** The figure the events explain; null for an event: reference. */
  metric: z
    .object({
      agentId: z.string(),
      kpi: kpiKeySchema,
      unit: z.string(),
      granularity: z.enum(['hour', 'day']),
      windowStart: z.string(),
      windowEnd: z.string(),
      value: z.number().nullable(),
    })
    .nullable(),
  total: z.number().int(),
  events: z.array(lineageEventSchema),
  /** Source events of this page that retention (BMAD_OPS_RETENTION_DAYS) deleted: counted in `total`, not listed. */
  prunedEvents: z.number().int().default(0),
  /** Pass as `after` for the next page; null on the last page. */
  nextAfter: z.number().int().nullable(),
});
export type LineageResponse = z.output<typeof lineageResponseSchema>;

export const analyticsUpdatedMessageSchema = z.object({
  type: z.literal('analytics_updated'),
  /** The rollup now includes every event up to this id. */
  throughEventId: z.number().int(),
  /** The changed buckets lie in [from, to): clients refetch only if their range overlaps it. */
  from: z.string(),
  to: z.string(),
});
export type AnalyticsUpdatedMessage = z.infer<typeof analyticsUpdatedMessageSchema>;
