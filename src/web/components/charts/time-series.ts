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
  /**
   * 'bars' suits one series of amounts per bucket; 'line' suits several series (they would overlap as bars);
   * 'stacked' draws each series as an area on top of the ones after it (the first series on top, the last at the
   * bottom: a cumulative flow diagram lists its columns from backlog to done). The tooltip and the table still give
   * each series' own value, never the running sum.
   */
  kind?: ChartKind;
  /** CSS pixels; the width follows the container. */
  height?: number;
  /**
   * A bucket was picked (click, tap, or Enter on the focused chart): its index, the series with a value there nearest
   * the pointer (the first with a value, from the keyboard; null when none has one), and the element to return focus to.
   */
  onSelect?: (bucket: number, series: number | null, opener: HTMLElement) => void;
  /** Highest value the measure can take (1 for a ratio): the axis never reaches past it. */
  yMax?: number;
  /** The steps the value axis may use (COUNT_STEPS for counts, HOUR_STEPS for durations in hours); uPlot's own by default. */
  yIncrs?: readonly number[];
  /**
   * Which values have sources behind them: the data table then offers a "sources" button on each, which calls
   * onSelect with that bucket and series (the keyboard and screen-reader way to what the chart's click opens).
   */
  hasSources?: (bucket: number, series: number) => boolean;
}

export type ChartKind = 'line' | 'bars' | 'stacked';

/** Whole-number steps: a count axis never shows a fraction. */
export const COUNT_STEPS: readonly number[] = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000, 50_000, 100_000];
/** Steps for durations in hours: whole hours, then half days, days and weeks. */
export const HOUR_STEPS: readonly number[] = [0.25, 0.5, 1, 2, 3, 4, 6, 12, 24, 48, 72, 96, 120, 168, 336, 504, 672, 1344, 2688, 5376];

/**
 * The heights a stacked chart draws: per series, its value plus every value below it (the series after it), null where
 * its own value is unknown. The first series is the top of the stack.
 */
export function stackValues(series: readonly TimeSeries[]): (number | null)[][] {
  const n = Math.max(0, ...series.map((s) => s.values.length));
  const out = series.map(() => new Array<number | null>(n).fill(null));
  for (let j = 0; j < n; j++) {
    let sum = 0;
    for (let i = series.length - 1; i >= 0; i--) {
      const v = series[i]!.values[j];
      if (v === null || v === undefined) continue;
      sum += v;
      out[i]![j] = sum;
    }
  }
  return out;
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
