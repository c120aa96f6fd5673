import { z } from 'zod';
import { CONSISTENCY_KINDS } from './events.js';

export const CONSISTENCY_RESULTS = ['running', 'ok', 'mismatch', 'error'] as const;

/** One difference the consistency monitor found. */
export const monitorFindingSchema = z.object({
  kind: z.enum(CONSISTENCY_KINDS),
  projectId: z.string().nullable(),
  storyId: z.string().nullable().default(null),
  entity: z.string().nullable(),
  field: z.string().nullable(),
  /** What the read model (or the first view) says, and what the log rebuilds (or the other view says). */
  actual: z.string().nullable(),
  expected: z.string().nullable(),
  message: z.string(),
});
export type MonitorFinding = z.output<typeof monitorFindingSchema>;

/** A pass of the monitor: rebuild every read model from the log and compare; check the cross-view invariants. */
export const consistencyRunSchema = z.object({
  id: z.number().int(),
  trigger: z.enum(['schedule', 'cli', 'manager', 'start']),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().int().nullable(),
  result: z.enum(CONSISTENCY_RESULTS),
  findings: z.number().int().min(0),
  /** The log up to this event id was rebuilt. */
  throughEventId: z.number().int(),
  eventsRead: z.number().int().nullable().default(null),
  /** Why the rows were not compared (the log was pruned by retention), or the error of a failed pass. */
  note: z.string().nullable().default(null),
  /** The first findings (at most 100). */
  sample: z.array(monitorFindingSchema).default([]),
});
export type ConsistencyRunView = z.output<typeof consistencyRunSchema>;

export const consistencyRunsResponseSchema = z.object({ items: z.array(consistencyRunSchema) });
export const consistencyRunsQuerySchema = z.strictObject({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(100))
    .default(10),
});
