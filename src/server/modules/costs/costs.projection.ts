import type { Projection } from '../events/projection.js';
import type { PricingTable } from '../../pricing/pricing-table.js';
import { rollUp } from './cost-rollup.js';
import { costsRepository } from './costs.repository.js';

/**
 * One cost row per cost.recorded event — and one per LLM request: a second event for a request id already costed
 * (the same request seen in a transcript and as an OTLP event) inserts nothing, so the first path to arrive is the cost. A record with its own amount keeps it (price_version null); a token-only
 * record is priced from the table in effect at occurredAt (price_version names the table, model and period); an
 * unknown model keeps a null amount: unknown is not zero. The hourly rollup (cost-rollup.ts) is maintained in the same
 * transaction, so it never disagrees with cost_events.
 */
export function createCostsProjection(pricing: PricingTable): Projection<'cost.recorded'> {
  return {
    name: 'costs',
    handles: ['cost.recorded'],
    async apply(trx, events) {
      const rows = events.map((e) => {
        const p = e.payload;
        const priced = p.amount == null && p.tokens && p.model ? pricing.price(p.model, e.occurredAt, p.tokens) : undefined;
        return {
          source_event_id: e.eventId,
          project_id: e.projectId,
          workflow_id: e.workflowId,
          agent_id: p.agentId ?? null,
          story_id: e.storyId,
          model: p.model ?? null,
          cost_amount: p.amount ?? priced?.amount ?? null,
          currency: p.amount != null ? (p.currency ?? null) : (priced?.currency ?? null),
          input_tokens: p.tokens?.input ?? null,
          output_tokens: p.tokens?.output ?? null,
          cache_write_tokens: p.tokens?.cacheWrite ?? null,
          cache_read_tokens: p.tokens?.cacheRead ?? null,
          price_version: priced?.priceVersion ?? null,
          occurred_at_utc: e.occurredAt,
          request_id: p.requestId ?? null,
          session_id: p.sessionId ?? null,
          skill: p.skill ?? null,
          workflow_name: p.workflow ?? null,
          via: p.via ?? null,
          speed: p.speed ?? null,
          service_tier: p.serviceTier ?? null,
          cache_write_5m_tokens: p.tokens?.cacheWrite5m ?? null,
          cache_write_1h_tokens: p.tokens?.cacheWrite1h ?? null,
        };
      });
      // Two events of one batch for the same request: only the first is offered (the unique index would drop the second
      // anyway, but a batch insert must not depend on which row the database keeps).
      const requests = new Set<string>();
      const firsts = rows.filter((r) => r.request_id === null || (!requests.has(r.request_id) && requests.add(r.request_id)));
      const inserted = await costsRepository.insertMany(trx, firsts);
      // Only rows this batch actually inserted are added, so re-applying an event can never count it twice.
      await costsRepository.addToRollup(trx, rollUp(firsts.filter((r) => inserted.has(r.source_event_id))));
    },
  };
}

/** Cost sources: every sync.reported for module `cost`, with the interval each ok report vouches for. */
export const costSourcesProjection: Projection<'sync.reported'> = {
  name: 'cost-sources',
  handles: ['sync.reported'],
  async apply(trx, events) {
    const rows = events
      .filter((e) => e.payload.module === 'cost')
      .map((e) => ({
        source_event_id: e.eventId,
        scope_id: e.entityId,
        status: e.payload.status,
        occurred_at_utc: e.occurredAt,
        covers_from_utc: e.payload.expectedIntervalMs ? new Date(Date.parse(e.occurredAt) - e.payload.expectedIntervalMs).toISOString() : e.occurredAt,
      }));
    if (rows.length > 0) await costsRepository.insertSourceReports(trx, rows);
  },
};
