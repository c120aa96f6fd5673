import type { CostPerDoneStory, CostToDate, CostTotal, Story } from '../../../contracts/index.js';

/** One group's (story's, project's, agent and model's) cost rows in one currency, as the repositories sum them. */
export interface CostSum {
  key: string;
  /** null for records without an amount (unpriced): they carry no currency either. */
  currency: string | null;
  amount: number;
  /** Records with an amount. */
  priced: number;
  /** Records without one: counted, never summed as zero. */
  unpriced: number;
}

/** Amounts to 1e-9 of the currency, as the cost summary reports them, so sums in different orders agree. */
const round = (x: number) => Number(x.toFixed(9));

export const NO_COST: CostToDate = { availability: 'unavailable', totals: [], unpricedEvents: 0 };

/** A group's rows as a cost to date: known totals per currency, never mixed; unavailable when no amount is known. */
export function costToDate(rows: readonly CostSum[]): CostToDate {
  const totals = new Map<string, CostTotal>();
  let unpricedEvents = 0;
  for (const r of rows) {
    unpricedEvents += r.unpriced;
    if (r.currency === null || r.priced === 0) continue;
    const t = totals.get(r.currency) ?? { currency: r.currency, amount: 0, events: 0 };
    t.amount += r.amount;
    t.events += r.priced;
    totals.set(r.currency, t);
  }
  const list = [...totals.values()].map((t) => ({ ...t, amount: round(t.amount) }));
  // Mostly one currency: no sort (and no collator) needed then.
  if (list.length > 1) list.sort((a, b) => a.currency.localeCompare(b.currency));
  return { availability: list.length > 0 ? 'available' : 'unavailable', totals: list, unpricedEvents };
}

/** Rows of many groups, split by key: every key asked for gets a cost, NO_COST when it has no rows. */
export function costsByKey(keys: Iterable<string>, rows: readonly CostSum[]): Map<string, CostToDate> {
  const grouped = new Map<string, CostSum[]>();
  for (const r of rows) {
    const g = grouped.get(r.key);
    if (g) g.push(r);
    else grouped.set(r.key, [r]);
  }
  const out = new Map<string, CostToDate>();
  for (const k of keys) out.set(k, costToDate(grouped.get(k) ?? []));
  return out;
}

/**
 * Cost to date per done story, per currency. Nothing to divide by (no done story) and nothing to divide (no known
 * cost) are said as such: a project that finished nothing has no cost per story, not an infinite or zero one.
 */
export function costPerDoneStory(cost: CostToDate, doneStories: number): CostPerDoneStory {
  if (doneStories === 0) return { availability: 'unavailable', reason: 'no_done_stories', amounts: [] };
  if (cost.availability === 'unavailable') return { availability: 'unavailable', reason: 'no_cost', amounts: [] };
  return { availability: 'available', reason: null, amounts: cost.totals.map((t) => ({ currency: t.currency, amount: round(t.amount / doneStories) })) };
}

export function withCosts(stories: readonly Story[], rows: readonly CostSum[]): Story[] {
  const costs = costsByKey(
    stories.map((s) => s.id),
    rows,
  );
  return stories.map((s) => ({ ...s, cost: costs.get(s.id) ?? NO_COST }));
}
