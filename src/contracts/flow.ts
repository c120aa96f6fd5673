import { z } from 'zod';
import { isKnownTimeZone } from './costs.js';
import { instantSchema } from './primitives.js';
import { statusChangeSchema } from './api.js';
import { DAY_MS } from './time.js';

/**
 * A project's flow from its stories' status history: a cumulative flow diagram (stories per BMAD column over time), a
 * burndown per epic, and throughput (stories done per week) with cycle-time percentiles. Every point names how to
 * get the transitions behind it (GET /projects/:id/flow/sources). Buckets before the first recorded transition are
 * null: no data, never zero.
 */
export const FLOW_BUCKETS = ['day', 'week'] as const;
export const FLOW_MAX_RANGE_DAYS = 800;
export const FLOW_MAX_BUCKETS = 1000;

const tzSchema = z.string().min(1).max(64).refine(isKnownTimeZone, { message: 'must be a known IANA time zone such as Europe/Berlin' });

function checkRange(q: { start?: string | undefined; end?: string | undefined; bucket: string }, ctx: z.RefinementCtx): void {
  if (q.start === undefined || q.end === undefined) return;
  const span = Date.parse(q.end) - Date.parse(q.start);
  if (span <= 0) ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be after start' });
  else if (span > FLOW_MAX_RANGE_DAYS * DAY_MS)
    ctx.addIssue({ code: 'custom', path: ['end'], message: `must be at most ${FLOW_MAX_RANGE_DAYS} days after start` });
}

export const flowQuerySchema = z
  .strictObject({
    /** Defaults: from the project's first recorded transition (or 90 days back) to now. */
    start: instantSchema.optional(),
    end: instantSchema.optional(),
    bucket: z.enum(FLOW_BUCKETS).default('day'),
    tz: tzSchema.default('UTC'),
  })
  .superRefine(checkRange);
export type FlowQuery = z.output<typeof flowQuerySchema>;

const countsSchema = z.record(z.string(), z.number().int().min(0));

export const flowResponseSchema = z.object({
  projectId: z.string(),
  bucket: z.enum(FLOW_BUCKETS),
  tz: z.string(),
  start: z.string(),
  end: z.string(),
  /** BMAD's columns in workflow order (then any column a story was seen in that the layout does not define). */
  columns: z.array(z.string()),
  /** The first and last recorded status change of the project's stories; null when none was recorded. */
  firstTransitionAt: z.string().nullable(),
  lastTransitionAt: z.string().nullable(),
  /** Stories per column at the end of each bucket; counts null before the first recorded transition. */
  cfd: z.array(z.object({ start: z.string(), end: z.string(), counts: countsSchema.nullable() })),
  /** Per epic: stories not done at the end of each bucket, of the stories that existed then (null before the epic's first story). */
  burndown: z.array(
    z.object({
      epic: z.string(),
      points: z.array(z.object({ start: z.string(), end: z.string(), remaining: z.number().int().nullable(), total: z.number().int().nullable() })),
    }),
  ),
  /** Per week: stories that reached done, and their cycle time (first in progress → done) in hours. */
  throughput: z.array(
    z.object({
      start: z.string(),
      end: z.string(),
      done: z.number().int().nullable(),
      cycleTimeHours: z.object({ p50: z.number(), p85: z.number(), p95: z.number(), n: z.number().int() }).nullable(),
    }),
  ),
  /** Cycle time over every completion in the range. */
  cycleTimeHours: z.object({ p50: z.number(), p85: z.number(), p95: z.number(), n: z.number().int() }).nullable(),
});
export type FlowResponse = z.infer<typeof flowResponseSchema>;

export const FLOW_SOURCE_KINDS = ['cfd', 'burndown', 'throughput'] as const;
export const flowSourcesQuerySchema = z
  .strictObject({
    kind: z.enum(FLOW_SOURCE_KINDS),
    /** The bucket: cfd and burndown are the state at `end`; throughput the completions in [start, end). */
    start: instantSchema,
    end: instantSchema,
    column: z.string().min(1).max(64).optional(),
    epic: z.string().min(1).max(200).optional(),
  })
  .superRefine((q, ctx) => {
    if (Date.parse(q.end) <= Date.parse(q.start)) ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be after start' });
    if (q.kind === 'burndown' && q.epic === undefined) ctx.addIssue({ code: 'custom', path: ['epic'], message: 'is required for kind=burndown' });
  });
export type FlowSourcesQuery = z.output<typeof flowSourcesQuerySchema>;

/** The transitions a flow point was computed from, each with its story. */
export const flowSourcesResponseSchema = z.object({
  items: z.array(statusChangeSchema.extend({ storyId: z.string(), storyTitle: z.string().nullable() })),
  total: z.number().int(),
});
export type FlowSourcesResponse = z.infer<typeof flowSourcesResponseSchema>;
