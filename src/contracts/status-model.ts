import { z } from 'zod';

/** The one lifecycle vocabulary shared by every module (architecture section 4.1). */
export const STATUSES = ['queued', 'in_progress', 'blocked', 'failed', 'done', 'canceled'] as const;
export const statusSchema = z.enum(STATUSES);
export type Status = z.infer<typeof statusSchema>;

export const STATUS_ENTITIES = ['workflow', 'story', 'epic', 'project'] as const;
export type StatusEntity = (typeof STATUS_ENTITIES)[number];

export interface EntityStatusModel {
  readonly statuses: readonly Status[];
  /** from -> allowed targets. A report without `from` (first sighting) only needs `to` in `statuses`. */
  readonly transitions: Readonly<Partial<Record<Status, readonly Status[]>>>;
  readonly terminal: readonly Status[];
}

/**
 * Allowed subsets and transitions per entity. Transitions are validated on the event itself (its own from/to),
 * never against the stored state, because events may arrive in any order.
 */
export const STATUS_MODEL: Readonly<Record<StatusEntity, EntityStatusModel>> = {
  workflow: {
    statuses: ['queued', 'in_progress', 'blocked', 'failed', 'done', 'canceled'],
    transitions: {
      queued: ['in_progress', 'blocked', 'failed', 'canceled'],
      in_progress: ['queued', 'blocked', 'failed', 'done', 'canceled'],
      blocked: ['queued', 'in_progress', 'failed', 'canceled'],
      failed: ['queued', 'in_progress', 'canceled'],
      done: [],
      canceled: ['queued'],
    },
    terminal: ['done', 'canceled'],
  },
  story: {
    statuses: ['queued', 'in_progress', 'blocked', 'done', 'canceled'],
    transitions: {
      queued: ['in_progress', 'blocked', 'done', 'canceled'],
      in_progress: ['queued', 'blocked', 'done', 'canceled'],
      blocked: ['queued', 'in_progress', 'canceled'],
      // Reopened work (a review that sends a story back) is a real BMAD path.
      done: ['in_progress', 'queued'],
      canceled: ['queued'],
    },
    terminal: ['done', 'canceled'],
  },
  // BMAD epics: backlog -> in-progress -> done (sprint-status.yaml), dropped in the ticket layout.
  epic: {
    statuses: ['queued', 'in_progress', 'done', 'canceled'],
    transitions: {
      queued: ['in_progress', 'done', 'canceled'],
      in_progress: ['queued', 'done', 'canceled'],
      done: ['in_progress', 'queued'],
      canceled: ['queued', 'in_progress'],
    },
    terminal: ['done', 'canceled'],
  },
  project: {
    statuses: ['queued', 'in_progress', 'blocked', 'done', 'canceled'],
    transitions: {
      queued: ['in_progress', 'blocked', 'canceled'],
      in_progress: ['queued', 'blocked', 'done', 'canceled'],
      blocked: ['queued', 'in_progress', 'canceled'],
      done: ['in_progress'],
      canceled: ['queued', 'in_progress'],
    },
    terminal: ['done', 'canceled'],
  },
};

export function isStatusAllowed(entity: StatusEntity, status: Status): boolean {
  return STATUS_MODEL[entity].statuses.includes(status);
}

export function isTransitionAllowed(entity: StatusEntity, from: Status, to: Status): boolean {
  return STATUS_MODEL[entity].transitions[from]?.includes(to) ?? false;
}

export const statusModelResponseSchema = z.object({
  statuses: z.array(statusSchema),
  entities: z.record(
    z.enum(STATUS_ENTITIES),
    z.object({
      statuses: z.array(statusSchema),
      transitions: z.partialRecord(statusSchema, z.array(statusSchema)),
      terminal: z.array(statusSchema),
    }),
  ),
});
export type StatusModelResponse = z.infer<typeof statusModelResponseSchema>;
