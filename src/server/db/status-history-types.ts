/**
 * The event types that state a workflow's or a story's status, by entity type: what domain_events_status_history_idx holds (migration
 * 022). A partial index is used only by a query whose WHERE repeats its condition word for word, with the values
 * written out (a bound parameter proves nothing to the planner): the index and its reader both take this text.
 * Changing the list needs a migration that rebuilds the index with the same text.
 */
export const STATUS_HISTORY_TYPES = {
  workflow: ['workflow.upserted', 'workflow.transitioned'],
  story: ['story.upserted', 'story.status_changed'],
} as const;

export const STATUS_HISTORY_TYPES_SQL = [...STATUS_HISTORY_TYPES.workflow, ...STATUS_HISTORY_TYPES.story].map((t) => `'${t}'`).join(', ');
