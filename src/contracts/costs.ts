import { z } from 'zod';
import { currencySchema, idSchema, instantSchema } from './primitives.js';
import { DAY_MS, HOUR_MS } from './time.js';

/** Longest range a cost query may span, and the most buckets a time series may have. */
export const COST_MAX_RANGE_DAYS = 400;
export const COST_MAX_BUCKETS = 10_000;

export const COST_WINDOWS = ['24h', '7d', '30d', 'custom'] as const;
export const COST_WINDOW_MS: Readonly<Record<Exclude<CostWindow, 'custom'>, number>> = { '24h': DAY_MS, '7d': 7 * DAY_MS, '30d': 30 * DAY_MS };
export type CostWindow = (typeof COST_WINDOWS)[number];
export const COST_GROUP_BY = ['project', 'agent', 'model', 'story', 'workflow', 'epic'] as const;
export const COST_BUCKETS = ['hour', 'day'] as const;
export type CostBucket = (typeof COST_BUCKETS)[number];

/** Why a figure is not known: no cost source was known to report, or the costs recorded carry no amount (unpriced). */
export const COST_UNAVAILABLE_REASONS = ['no_cost_source', 'unpriced_events'] as const;
export const costUnavailableReasonSchema = z.enum(COST_UNAVAILABLE_REASONS);

/** True when the runtime knows the IANA zone (Area/City, or UTC). */
export function isKnownTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function checkRange(start: string, end: string, ctx: z.RefinementCtx): boolean {
  if (Date.parse(start) >= Date.parse(end)) {
    ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be after start' });
    return false;
  }
  if (Date.parse(end) - Date.parse(start) > COST_MAX_RANGE_DAYS * DAY_MS) {
    ctx.addIssue({ code: 'custom', path: ['end'], message: `must be at most ${COST_MAX_RANGE_DAYS} days after start` });
    return false;
  }
  return true;
}

export const costSummaryQuerySchema = z
  .strictObject({
    window: z.enum(COST_WINDOWS).default('24h'),
    start: instantSchema.optional(),
    end: instantSchema.optional(),
    projectId: idSchema.optional(),
    groupBy: z.enum(COST_GROUP_BY).default('project'),
  })
  .superRefine((q, ctx) => {
    if (q.window !== 'custom') {
      if (q.start !== undefined) ctx.addIssue({ code: 'custom', path: ['start'], message: 'is only allowed with window=custom' });
      if (q.end !== undefined) ctx.addIssue({ code: 'custom', path: ['end'], message: 'is only allowed with window=custom' });
      return;
    }
    if (q.start === undefined) ctx.addIssue({ code: 'custom', path: ['start'], message: 'is required when window=custom' });
    if (q.end === undefined) ctx.addIssue({ code: 'custom', path: ['end'], message: 'is required when window=custom' });
    if (q.start !== undefined && q.end !== undefined) checkRange(q.start, q.end, ctx);
  });
export type CostSummaryQuery = z.output<typeof costSummaryQuerySchema>;

export const costTimeseriesQuerySchema = z
  .strictObject({
    bucket: z.enum(COST_BUCKETS).default('day'),
    start: instantSchema,
    end: instantSchema,
    projectId: idSchema.optional(),
    tz: z.string().min(1).max(64).refine(isKnownTimeZone, { message: 'must be a known IANA time zone such as Europe/Berlin' }).default('UTC'),
  })
  .superRefine((q, ctx) => {
    if (!checkRange(q.start, q.end, ctx)) return;
    // At most one more bucket than whole periods (a partial one at each end), whatever the zone's offsets.
    const period = q.bucket === 'hour' ? HOUR_MS : DAY_MS;
    if (Math.ceil((Date.parse(q.end) - Date.parse(q.start)) / period) + 1 > COST_MAX_BUCKETS) {
      ctx.addIssue({ code: 'custom', path: ['bucket'], message: `would give more than ${COST_MAX_BUCKETS} buckets` });
    }
  });
export type CostTimeseriesQuery = z.output<typeof costTimeseriesQuerySchema>;

// ---------- responses ----------

/** A known total in one currency (never mixed) and how many cost records make it up. */
export const costTotalSchema = z.object({ currency: currencySchema, amount: z.number(), events: z.number().int().min(0) });
export type CostTotal = z.output<typeof costTotalSchema>;

const availabilitySchema = z.enum(['available', 'unavailable']);

export const costPeriodSchema = z.object({
  start: z.string(),
  end: z.string(),
  availability: availabilitySchema,
  /** Why the period is unavailable; null when available. */
  reason: costUnavailableReasonSchema.nullable(),
  totals: z.array(costTotalSchema),
  /** Cost records in the period without an amount (unknown model, no price): counted, never summed as zero. */
  unpricedEvents: z.number().int().min(0),
});

// ---------- budgets ----------

/** PUT /projects/:id/budget: a monthly budget in one currency. DELETE removes it. */
export const budgetBodySchema = z.strictObject({
  amount: z.number().finite().positive().max(1e9),
  currency: currencySchema,
});
export type BudgetBody = z.output<typeof budgetBodySchema>;

export const BUDGET_STATUSES = ['on_track', 'at_risk', 'exceeded', 'unknown'] as const;

/** A project's spend in the current calendar month (UTC) against its monthly budget. */
export const projectBudgetSchema = z.object({
  projectId: z.string(),
  /** YYYY-MM, UTC. */
  month: z.string(),
  monthStart: z.string(),
  monthEnd: z.string(),
  amount: z.number(),
  currency: currencySchema,
  /** Month-to-date spend in the budget's currency; null when unavailable (no cost source, or unpriced records). */
  spent: z.number().nullable(),
  availability: availabilitySchema,
  reason: costUnavailableReasonSchema.nullable(),
  spentPct: z.number().nullable(),
  /** When spend crossed the budget this month; null if it has not. */
  exceededAt: z.string().nullable(),
  /** When the month-to-date burn rate would cross the budget; null when it would not before the month ends (or already did). */
  projectedExceedAt: z.string().nullable(),
  /** exceeded: spent >= amount; at_risk: projected to exceed before the month ends; unknown: spend unavailable; on_track otherwise. */
  status: z.enum(BUDGET_STATUSES),
});
export type ProjectBudget = z.output<typeof projectBudgetSchema>;

export const costSummarySchema = costPeriodSchema.extend({
  window: z.enum(COST_WINDOWS),
  projectId: z.string().nullable(),
  groupBy: z.enum(COST_GROUP_BY),
  breakdown: z.array(
    z.object({
      /** The project/agent/model/story id; null for records that name none. */
      key: z.string().nullable(),
      /** What the key names, for reading (a story's title); null when it is its own name (a model id) or unknown. */
      label: z.string().nullable().default(null),
      totals: z.array(costTotalSchema),
      unpricedEvents: z.number().int().min(0),
    }),
  ),
  /** The window of equal length just before this one. */
  previous: costPeriodSchema,
  comparison: z.array(
    z.object({
      currency: currencySchema,
      current: z.number(),
      previous: z.number(),
      change: z.number(),
      /** Relative change in percent; null when the previous amount is zero. */
      changePct: z.number().nullable(),
    }),
  ),
  /** Monthly budgets of the projects in scope (the one project when projectId is given), this month. */
  budgets: z.array(projectBudgetSchema),
  /** The pricing table token-only records were priced with (`bmad-ops pricing show`). */
  priceTable: z.object({ version: z.string() }).nullable().default(null),
});
export type CostSummary = z.output<typeof costSummarySchema>;

export const costBucketSchema = z.discriminatedUnion('status', [
  z.object({ start: z.string(), end: z.string(), status: z.literal('available'), amount: z.number(), unpricedEvents: z.number().int().min(0) }),
  z.object({
    start: z.string(),
    end: z.string(),
    status: z.literal('unavailable'),
    reason: costUnavailableReasonSchema,
    unpricedEvents: z.number().int().min(0),
  }),
]);
export type CostBucketValue = z.output<typeof costBucketSchema>;

export const costTimeseriesSchema = z.object({
  bucket: z.enum(COST_BUCKETS),
  tz: z.string(),
  start: z.string(),
  end: z.string(),
  projectId: z.string().nullable(),
  /** One series per currency with known amounts in the range (USD, the pricing table's, when there is none). */
  series: z.array(z.object({ currency: currencySchema, buckets: z.array(costBucketSchema) })),
});
export type CostTimeseries = z.output<typeof costTimeseriesSchema>;
