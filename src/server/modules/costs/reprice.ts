import type { DatabaseHandle } from '../../db/handle.js';
import type { PricingTable } from '../../pricing/pricing-table.js';
import { hourStartOf } from './cost-rollup.js';
import { costsRepository } from './costs.repository.js';

export interface RepriceResult {
  /** Token-priced or unpriced rows looked at. */
  examined: number;
  /** Rows whose amount, currency or price version changed. */
  changed: number;
  /** Rows still without a price (unknown model, or no price in effect at occurredAt). */
  unpriced: number;
}

/**
 * Re-costs history with a (new) pricing table — only when asked (`bmad-ops reprice`): rows that carried their own
 * amount are never touched; token-only rows get the price in effect at their occurredAt, or null when there is none.
 * Every UTC hour holding a changed row has its rollup rows rebuilt from cost_events.
 */
export async function repriceCosts(db: DatabaseHandle, pricing: PricingTable, batchSize = 1000): Promise<RepriceResult> {
  const result: RepriceResult = { examined: 0, changed: 0, unpriced: 0 };
  let afterId = 0;
  for (;;) {
    const rows = await costsRepository.repriceCandidates(db.read, afterId, batchSize);
    if (rows.length === 0) return result;
    await db.write.transaction().execute(async (trx) => {
      const changedHours = new Set<string>();
      const changedStories = new Set<string>();
      for (const r of rows) {
        const tokens = {
          input: r.input_tokens,
          output: r.output_tokens,
          cacheWrite: r.cache_write_tokens,
          cacheWrite5m: r.cache_write_5m_tokens,
          cacheWrite1h: r.cache_write_1h_tokens,
          cacheRead: r.cache_read_tokens,
        };
        const hasTokens = Object.values(tokens).some((v) => v !== null);
        const p = hasTokens && r.model ? pricing.price(r.model, r.occurred_at_utc, tokens) : undefined;
        const next = { amount: p?.amount ?? null, currency: p?.currency ?? null, priceVersion: p?.priceVersion ?? null };
        if (next.amount === null) result.unpriced++;
        if (next.amount !== r.cost_amount || next.currency !== r.currency || next.priceVersion !== r.price_version) {
          await costsRepository.setPrice(trx, r.id, next);
          changedHours.add(hourStartOf(r.occurred_at_utc));
          if (r.story_id !== null) changedStories.add(r.story_id);
          result.changed++;
        }
      }
      // In the same transaction as the price changes, so the rollup never disagrees with cost_events.
      await costsRepository.rebuildRollupHours(trx, changedHours);
      await costsRepository.rebuildStoryTotals(trx, [...changedStories]);
    });
    result.examined += rows.length;
    afterId = rows.at(-1)!.id;
  }
}
