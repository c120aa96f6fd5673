import type { CostTotal, COST_UNAVAILABLE_REASONS } from '../../../contracts/index.js';
import type { CostAggregate } from './costs.repository.js';

/** Amounts are reported to 1e-9 of the currency, so float noise from summing in different orders never shows. */
export const round = (x: number) => Number(x.toFixed(9));

/** Known totals per currency (never mixed) and the count of records without an amount. */
export function totalsOf(rows: readonly CostAggregate[]): { totals: CostTotal[]; unpricedEvents: number } {
  const byCurrency = new Map<string, CostTotal>();
  let unpricedEvents = 0;
  for (const r of rows) {
    unpricedEvents += r.unpriced;
    if (r.currency === null || r.priced === 0) continue;
    const t = byCurrency.get(r.currency) ?? { currency: r.currency, amount: 0, events: 0 };
    t.amount += r.amount;
    t.events += r.priced;
    byCurrency.set(r.currency, t);
  }
  const totals = [...byCurrency.values()].map((t) => ({ ...t, amount: round(t.amount) })).sort((a, b) => a.currency.localeCompare(b.currency));
  return { totals, unpricedEvents };
}

/**
 * The coverage rule every cost figure follows: unknown when no cost source was known before the period ended, or when
 * the period holds only records without an amount; never a made-up 0.
 */
export function availabilityOf(
  sourceKnown: boolean,
  totals: readonly CostTotal[],
  unpricedEvents: number,
): { availability: 'available' | 'unavailable'; reason: (typeof COST_UNAVAILABLE_REASONS)[number] | null } {
  if (!sourceKnown) return { availability: 'unavailable', reason: 'no_cost_source' };
  if (totals.length === 0 && unpricedEvents > 0) return { availability: 'unavailable', reason: 'unpriced_events' };
  return { availability: 'available', reason: null };
}
