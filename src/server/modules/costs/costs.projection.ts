import { createHash } from 'node:crypto';
import type { Projection } from '../events/index.js';
import type { StoredEventOf } from '../events/index.js';
import type { PricingTable } from '../../pricing/pricing-table.js';
import { rollUp } from './cost-rollup.js';
import { costMetricsRepository } from './cost-metrics.repository.js';
import { costsRepository } from './costs.repository.js';
import { costDimensionRollupsRepository } from './cost-dimension-rollups.repository.js';
import { foldMetricPoints, recomputeRemainder, type RemainderChanges } from './metric-remainder.js';

/** Two sightings of one request by different paths are at most this far apart (a transcript line vs. its OTLP event). */
const SAME_REQUEST_WINDOW_MS = 10 * 60_000;

/**
 * A request's fingerprint: its session (a sub-agent's transcript rows count with their session), model and exact token
 * counts. Claude Code's OTLP `api_request` event carries no request id, so this is how it is recognised as the request
 * a transcript line already costed (and the other way round).
 */
export function requestFingerprint(p: {
  sessionId?: string | null;
  model?: string | null;
  tokens?: { input?: number | null; output?: number | null; cacheWrite?: number | null; cacheRead?: number | null } | null;
}): string | null {
  if (!p.sessionId || !p.model || !p.tokens) return null;
  const t = p.tokens;
  const root = p.sessionId.split('/')[0]!;
  return createHash('sha256')
    .update(JSON.stringify([root, p.model, t.input ?? 0, t.output ?? 0, t.cacheWrite ?? 0, t.cacheRead ?? 0]))
    .digest('hex')
    .slice(0, 32);
}

/**
 * One cost row per cost.recorded event — and one per LLM request, whichever path brought it first:
 * - a second event for a request id already costed inserts nothing;
 * - an event without a request id (an OTLP `api_request`) whose fingerprint another path already costed within ten
 *   minutes inserts nothing, and a later transcript line of that request neither;
 * - Claude Code's cost/token metrics (cost.usage_reported) add only what they say beyond the itemized costs of their
 *   session and model (metric-remainder.ts).
 * A record with its own amount keeps it (price_version null); a token-only record is priced from the table in effect at
 * occurredAt; an unknown model keeps a null amount: unknown is not zero. The hourly rollup (cost-rollup.ts) is
 * maintained in the same transaction, so it never disagrees with cost_events.
 */
export function createCostsProjection(pricing: PricingTable): Projection<'cost.recorded' | 'cost.usage_reported'> {
  return {
    name: 'costs',
    handles: ['cost.recorded', 'cost.usage_reported'],
    async apply(trx, events) {
      const recorded = events.filter((e): e is StoredEventOf<'cost.recorded'> => e.type === 'cost.recorded');
      const points = events.filter((e): e is StoredEventOf<'cost.usage_reported'> => e.type === 'cost.usage_reported');
      const rows = recorded.map((e) => {
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
          request_fingerprint: requestFingerprint(p),
        };
      });
      // Two events of one batch for the same request: only the first is offered (the unique index would drop the second
      // anyway, but a batch insert must not depend on which row the database keeps).
      const requests = new Set<string>();
      const byId = rows.filter((r) => r.request_id === null || (!requests.has(r.request_id) && requests.add(r.request_id)));
      const fingerprints = [...new Set(byId.map((r) => r.request_fingerprint).filter((f): f is string => f !== null))];
      const sightings =
        fingerprints.length > 0 ? await costMetricsRepository.fingerprintSightings(trx, fingerprints) : new Map<string, { via: string | null; at: string }[]>();
      const firsts = byId.filter((r) => {
        if (r.request_fingerprint === null) return true;
        const seen = sightings.get(r.request_fingerprint) ?? [];
        const at = Date.parse(r.occurred_at_utc);
        if (seen.some((s) => s.via !== r.via && Math.abs(Date.parse(s.at) - at) <= SAME_REQUEST_WINDOW_MS)) return false;
        sightings.set(r.request_fingerprint, [...seen, { via: r.via, at: r.occurred_at_utc }]);
        return true;
      });
      const inserted = firsts.length > 0 ? await costsRepository.insertMany(trx, firsts) : new Set<number>();
      const added = firsts.filter((r) => inserted.has(r.source_event_id));
      // Only rows this batch actually inserted are added, so re-applying an event can never count it twice.
      await costsRepository.addToRollup(trx, rollUp(added));
      await costDimensionRollupsRepository.add(trx, added);

      // Metric remainders: of the sessions whose points arrived, and of those with points whose itemized costs grew.
      const keys = await foldMetricPoints(trx, points);
      const itemizedKeys = added.filter((r) => r.session_id && r.model).map((r) => ({ sessionId: r.session_id!.split('/')[0]!, model: r.model! }));
      if (itemizedKeys.length > 0) {
        const withSeries = await costMetricsRepository.sessionsWithSeries(trx, [...new Set(itemizedKeys.map((k) => k.sessionId))]);
        for (const k of itemizedKeys) if (withSeries.has(k)) keys.add(k);
      }
      if (keys.size === 0) return;
      const changes: RemainderChanges = { hours: new Set(), stories: new Set() };
      for (const { sessionId, model } of keys) await recomputeRemainder(trx, sessionId, model, pricing, changes);
      // Rebuilt, not adjusted: a remainder shrinks as itemized costs arrive, and subtracting floats leaves residue.
      if (changes.hours.size > 0) await costsRepository.rebuildRollupHours(trx, changes.hours);
      if (changes.stories.size > 0) await costsRepository.rebuildStoryTotals(trx, [...changes.stories]);
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
