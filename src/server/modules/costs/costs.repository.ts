import type { Insertable } from 'kysely';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import type { CostEventsTable } from '../../db/schema.js';

export const costsRepository = {
  async insertMany(db: Executor, rows: readonly Insertable<CostEventsTable>[]): Promise<void> {
    for (const part of chunks(rows)) {
      await db
        .insertInto('cost_events')
        .values(part)
        .onConflict((oc) => oc.column('source_event_id').doNothing())
        .execute();
    }
  },

  /** The most recent cost rows (snapshot for live clients until the cost module's own views exist). */
  async recent(db: Executor, limit: number) {
    const rows = await db.selectFrom('cost_events').selectAll().orderBy('occurred_at_utc', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({
      eventId: r.source_event_id,
      projectId: r.project_id,
      workflowId: r.workflow_id,
      agentId: r.agent_id,
      storyId: r.story_id,
      model: r.model,
      amount: r.cost_amount,
      currency: r.currency,
      tokens: { input: r.input_tokens, output: r.output_tokens, cacheWrite: r.cache_write_tokens, cacheRead: r.cache_read_tokens },
      occurredAt: r.occurred_at_utc,
    }));
  },
};
