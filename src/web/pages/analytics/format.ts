import type { KpiDefinition, KpiUnit } from '../../../contracts/index.js';

/**
 * Values in their KPI's unit. `unit` is the series' unit: the KPI's own, or for money KPIs the currency code, which is
 * why the catalogue's unit decides how to read it.
 */
export function formatValue(value: number, kpiUnit: KpiUnit | undefined, unit: string): string {
  switch (kpiUnit) {
    case 'ratio':
      return `${(value * 100).toFixed(1)}%`;
    case 'hours':
      return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} h`;
    case 'currency':
      try {
        return new Intl.NumberFormat(undefined, { style: 'currency', currency: unit, maximumFractionDigits: 2 }).format(value);
      } catch {
        return `${value.toFixed(2)} ${unit}`;
      }
    case 'tokens':
      return `${new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 }).format(value)} tokens`;
    case 'count':
      return Number.isInteger(value) ? String(value) : value.toFixed(2);
    default:
      return `${Number.isInteger(value) ? value : value.toFixed(2)} ${unit}`;
  }
}

export function unitLabel(kpiUnit: KpiUnit | undefined, unit: string): string {
  switch (kpiUnit) {
    case 'ratio':
      return '%';
    case 'hours':
      return 'hours';
    case 'currency':
      return unit;
    case 'tokens':
      return 'tokens';
    case 'count':
      return 'count';
    default:
      return unit;
  }
}

export const directionText = (k: Pick<KpiDefinition, 'direction'>) => (k.direction === 'lower_is_better' ? 'lower is better' : 'higher is better');

// Buckets are UTC hours and days on the server, so they are labelled in UTC: a local label would shift a day's bucket.
const dayFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' });
const hourFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' });
const instantFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

export function formatBucket(startIso: string, granularity: 'hour' | 'day'): string {
  const d = new Date(startIso);
  return granularity === 'hour' ? hourFmt.format(d) : dayFmt.format(d);
}

export function formatWindow(startIso: string, endIso: string): string {
  const span = Date.parse(endIso) - Date.parse(startIso);
  if (span === 86_400_000 && startIso.slice(11, 19) === '00:00:00') return `${dayFmt.format(new Date(startIso))} (UTC day)`;
  if (span === 3_600_000) return `${hourFmt.format(new Date(startIso))} UTC (hour)`;
  return `${instantFmt.format(new Date(startIso))} – ${instantFmt.format(new Date(endIso))} UTC`;
}

export const formatInstant = (iso: string) => `${instantFmt.format(new Date(iso))} UTC`;

export function formatScore(score: number): string {
  return `${score > 0 ? '+' : score < 0 ? '−' : ''}${Math.abs(score).toFixed(2)}`;
}
