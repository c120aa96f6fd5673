import type { SloState } from '../../../contracts/index.js';

const compact = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

/** Milliseconds as people read them: "48 ms", "3.2 ms", "1.25 s". */
export function formatMs(v: number): string {
  if (v >= 1000) return `${Number((v / 1000).toFixed(2))} s`;
  return `${v < 10 ? v.toFixed(1) : whole.format(v)} ms`;
}

export const formatRatio = (v: number) => `${(v * 100).toFixed(1)} %`;
export const formatCount = (v: number) => (Number.isInteger(v) ? whole.format(v) : compact.format(v));
export const formatPerSecond = (v: number) => `${compact.format(v)}/s`;
export const formatPerMinute = (v: number) => `${compact.format(v)}/min`;

export const STATE_WORD: Record<SloState, string> = { met: 'Met', at_risk: 'At risk', breached: 'Breached', no_data: 'No data' };
export const STATE_TONE: Record<SloState, string> = {
  met: 'bg-ok-bg text-ok',
  at_risk: 'bg-warn-bg text-warn',
  breached: 'bg-danger-bg text-danger',
  no_data: 'bg-neutral-bg text-muted',
};
export const STATE_ICON: Record<SloState, string> = { met: '✓', at_risk: '!', breached: '✕', no_data: '?' };

const clockShort = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const long = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** Axis labels in local time, like the rest of the page: hours and minutes (ticks fall on whole minutes; the tooltip and table give seconds). */
export const tickFormatter = () => (x: number) => clockShort.format(x);
export const formatSlot = (x: number) => long.format(x);
