import type { Projection } from '../events/projection.js';
import { costsRepository } from './costs.repository.js';

/** One cost row per cost.recorded event. An unpriced record keeps a null amount: unknown is not zero. */
export const costsProjection: Projection<'cost.recorded'> = {
  name: 'costs',
  handles: ['cost.recorded'],
  async apply(trx, events) {
    await costsRepository.insertMany(
      trx,
      events.map((e) => ({
        source_event_id: e.eventId,
        project_id: e.projectId,
        workflow_id: e.workflowId,
        agent_id: e.payload.agentId ?? null,
        story_id: e.storyId,
        model: e.payload.model ?? null,
        cost_amount: e.payload.amount ?? null,
        currency: e.payload.currency ?? null,
        input_tokens: e.payload.tokens?.input ?? null,
        output_tokens: e.payload.tokens?.output ?? null,
        cache_write_tokens: e.payload.tokens?.cacheWrite ?? null,
        cache_read_tokens: e.payload.tokens?.cacheRead ?? null,
        price_version: null,
        occurred_at_utc: e.occurredAt,
      })),
    );
  },
};
