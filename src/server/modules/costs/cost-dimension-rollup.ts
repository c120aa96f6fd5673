/**
 * The rollups of migration 019, without SQL: how a batch of cost rows folds into per-quarter-hour project deltas and
 * per-dimension hourly and daily deltas (one upsert per distinct key, additive, so batch order does not matter).
 */

import { DIMENSIONS } from '../../db/migrations/019-cost-dimension-rollups.js';
import { NONE, hourStartOf, type CostRowForRollup } from './cost-rollup.js';

export type CostDimension = (typeof DIMENSIONS)[number][0];
export const COST_DIMENSIONS: readonly CostDimension[] = DIMENSIONS.map(([d]) => d);

export interface DimRow extends CostRowForRollup {
  workflow_name: string | null;
}

interface Sums {
  amount_sum: number;
  event_count: number;
  unpriced_count: number;
}

export interface QuarterDelta extends Sums {
  quarter_start_utc: string;
  project_id: string;
  currency: string;
}

export type HourlyDimDelta = DimDelta & { hour_start_utc: string };

export interface DimDelta extends Sums {
  dim: CostDimension;
  project_id: string;
  key: string;
  currency: string;
}

const QUARTERS = ['00', '00', '00', '15', '15', '15', '30', '30', '30', '45', '45', '45'];

/** The UTC quarter hour an instant falls in, as stored (`YYYY-MM-DDTHH:MM:00.000Z`, MM one of 00/15/30/45). */
export function quarterStartOf(isoInstant: string): string {
  // Minutes 00-59: the first digit and whether the second pushes past a quarter decide it.
  const m = Number(isoInstant.slice(14, 16));
  return `${isoInstant.slice(0, 14)}${QUARTERS[Math.floor(m / 5)]}:00.000Z`;
}

function add(map: Map<string, Sums>, k: string, make: () => Sums, amount: number | null): void {
  let d = map.get(k);
  if (!d) map.set(k, (d = make()));
  d.event_count++;
  if (amount === null) d.unpriced_count++;
  else d.amount_sum += amount;
}

const zero = () => ({ amount_sum: 0, event_count: 0, unpriced_count: 0 });

export function byQuarter(rows: readonly CostRowForRollup[]): QuarterDelta[] {
  const map = new Map<string, QuarterDelta>();
  for (const r of rows) {
    const q = quarterStartOf(r.occurred_at_utc);
    const project = r.project_id ?? NONE;
    const currency = r.currency ?? NONE;
    add(map as Map<string, Sums>, `${q}\n${project}\n${currency}`, () => ({ quarter_start_utc: q, project_id: project, currency, ...zero() }), r.cost_amount);
  }
  return [...map.values()];
}

export interface TotalHourDelta extends Sums {
  hour_start_utc: string;
  currency: string;
}

/** Per UTC hour and currency over every project: the workspace's time series. */
export function byTotalHour(rows: readonly CostRowForRollup[]): TotalHourDelta[] {
  const map = new Map<string, TotalHourDelta>();
  for (const r of rows) {
    const hour = hourStartOf(r.occurred_at_utc);
    const currency = r.currency ?? NONE;
    add(map as Map<string, Sums>, `${hour}\n${currency}`, () => ({ hour_start_utc: hour, currency, ...zero() }), r.cost_amount);
  }
  return [...map.values()];
}

/** The UTC days a batch touches (their version counters are raised). */
export function daysOf(rows: readonly CostRowForRollup[]): string[] {
  return [...new Set(rows.map((r) => `${r.occurred_at_utc.slice(0, 10)}T00:00:00.000Z`))];
}

const keyOf = (r: DimRow, dim: CostDimension): string | null =>
  dim === 'agent' ? r.agent_id : dim === 'model' ? r.model : dim === 'story' ? r.story_id : r.workflow_name;

/** Per-dimension deltas of a batch, by UTC hour and by UTC day. */
export function byDimension(rows: readonly DimRow[]): { hourly: HourlyDimDelta[]; daily: (DimDelta & { day_start_utc: string })[] } {
  const hourly = new Map<string, HourlyDimDelta>();
  const daily = new Map<string, DimDelta & { day_start_utc: string }>();
  for (const r of rows) {
    const hour = hourStartOf(r.occurred_at_utc);
    const day = `${r.occurred_at_utc.slice(0, 10)}T00:00:00.000Z`;
    const project = r.project_id ?? NONE;
    const currency = r.currency ?? NONE;
    for (const dim of COST_DIMENSIONS) {
      const key = keyOf(r, dim) ?? NONE;
      const base = `${dim}\n${project}\n${key}\n${currency}`;
      add(hourly as Map<string, Sums>, `${hour}\n${base}`, () => ({ hour_start_utc: hour, dim, project_id: project, key, currency, ...zero() }), r.cost_amount);
      add(daily as Map<string, Sums>, `${day}\n${base}`, () => ({ day_start_utc: day, dim, project_id: project, key, currency, ...zero() }), r.cost_amount);
    }
  }
  return { hourly: [...hourly.values()], daily: [...daily.values()] };
}
