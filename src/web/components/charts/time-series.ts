/**
 * The contract of the time-series chart, kept apart from the component so pages can build its props (and import
 * these helpers) without pulling uPlot into their own chunk: only TimeSeriesChart.tsx imports the library.
 */

export interface TimeSeries {
  /** Stable key (React keys, data attributes). */
  id: string;
  /** Shown in the legend, the tooltip and the data table's column header. */
  label: string;
  /** One value per entry of `x`; null is a gap: nothing is drawn there, never a zero. */
  values: readonly (number | null)[];
  /** A theme CSS variable for the colour (e.g. '--accent'); by default the palette in chart-theme.ts, by position. */
  colorVar?: string;
}

/** A run of buckets whose values are not known, drawn as a hatched band and named in the tooltip, legend and table. */
export interface UnavailableRange {
  /** Covers every bucket whose x is in [from, to) (same unit as `x`). */
  from: number;
  to: number;
  /** Machine key: one hatch and one legend line per distinct reason. */
  reason: string;
  /** Words for people, e.g. "no cost source reporting"; the legend reads "no data: <label>". */
  label: string;
}

export interface TimeSeriesChartProps {
  /** Accessible name of the chart and caption of its data table, e.g. "Cost per day in USD". */
  label: string;
  /**
   * Bucket starts, ascending (ms since the epoch, or any number). Buckets are drawn evenly, one slot each, so a
   * 23- or 25-hour day is one bucket like any other; time zones are the caller's business through formatX.
   */
  x: readonly number[];
  series: readonly TimeSeries[];
  unavailable?: readonly UnavailableRange[];
  /** Axis unit formatter, also used in the tooltip and table (e.g. money, "42 %", "3.2 s"). */
  formatValue: (value: number) => string;
  /** Short bucket label for the x axis. */
  formatX: (x: number) => string;
  /** Long bucket label for the tooltip and the table; formatX when absent. */
  formatXLong?: (x: number) => string;
  /** 'bars' suits one series of amounts per bucket; 'line' suits several series (they would overlap as bars). */
  kind?: 'line' | 'bars';
  /** CSS pixels; the width follows the container. */
  height?: number;
  /**
   * A bucket was picked (click, tap, or Enter on the focused chart): its index, the series with a value there nearest
   * the pointer (the first with a value, from the keyboard; null when none has one), and the element to return focus to.
   */
  onSelect?: (bucket: number, series: number | null, opener: HTMLElement) => void;
  /** Highest value the measure can take (1 for a ratio): the axis never reaches past it. */
  yMax?: number;
}

/** The unavailable range a bucket falls in, if any. */
export function rangeAt(ranges: readonly UnavailableRange[] | undefined, x: number | undefined): UnavailableRange | undefined {
  if (x === undefined || !ranges) return undefined;
  return ranges.find((r) => x >= r.from && x < r.to);
}

/**
 * Merges consecutive unavailable buckets with the same reason into ranges, so a week without a cost source is one
 * band (and one tooltip reason), not seven.
 */
export function unavailableRuns<B>(
  buckets: readonly B[],
  describe: (b: B) => { from: number; to: number; reason: string | null },
  labelOf: (reason: string) => string,
): UnavailableRange[] {
  const runs: UnavailableRange[] = [];
  for (const b of buckets) {
    const { from, to, reason } = describe(b);
    if (reason === null) continue;
    const last = runs[runs.length - 1];
    if (last && last.reason === reason && last.to === from) last.to = to;
    else runs.push({ from, to, reason, label: labelOf(reason) });
  }
  return runs;
}

/** Distinct reasons in first-seen order (legend lines and hatch slants follow it). */
export function distinctReasons(ranges: readonly UnavailableRange[] | undefined): UnavailableRange[] {
  const seen = new Map<string, UnavailableRange>();
  for (const r of ranges ?? []) if (!seen.has(r.reason)) seen.set(r.reason, r);
  return [...seen.values()];
}
