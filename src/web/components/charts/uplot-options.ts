import uPlot from 'uplot';
import { mix, type ChartTheme } from './chart-theme.js';
import { drawZeroBars, makeBandPainter } from './chart-drawing.js';
import { distinctReasons, type TimeSeriesChartProps } from './time-series.js';

/** Dashes by series position for lines, so series differ by more than colour. */
const DASHES: (number[] | undefined)[] = [undefined, [6, 3], [2, 3], [8, 3, 2, 3]];
/** Whole-bucket tick steps: the x axis is bucket indices, and a tick between two buckets would label nothing. */
const BUCKET_STEPS = [1, 2, 3, 4, 6, 7, 12, 14, 24, 28, 48, 56, 96, 168, 336, 672, 1344, 2688, 5376];
const FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

export const seriesColors = (props: Pick<TimeSeriesChartProps, 'series'>, theme: ChartTheme) =>
  props.series.map((s, i) => (s.colorVar ? theme.byVar(s.colorVar) : theme.palette[i % theme.palette.length]) || theme.fg);

/** A stacked area's fill: its colour tinted toward the surface, opaque, so the areas stay readable in both themes. */
export const areaFills = (colors: readonly string[], theme: ChartTheme) => colors.map((c) => mix(c, theme.surface, 0.6));

/** A round upper bound (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^n): readable steps without doubling the headroom. */
function niceCeil(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** The y axis as wide as its longest label (money labels vary a lot), measured in the axis font. */
const axisSize: uPlot.Axis.Size = (u, values, axisIdx) => {
  const axis = u.axes[axisIdx]!;
  const longest = (values ?? []).reduce((a, v) => (v.length > a.length ? v : a), '');
  // Measured in the unscaled font, so the width is in CSS pixels (uPlot draws the labels after sizing, with its own font).
  u.ctx.font = FONT;
  return Math.ceil((axis.gap ?? 5) + 8 + u.ctx.measureText(longest).width);
};

export interface Callbacks {
  /** The hovered (or keyboard-selected) bucket and its centre in CSS pixels from the chart's left edge; null when none. */
  onCursor: (idx: number | null, left: number) => void;
  formatValue: () => (v: number) => string;
  formatX: () => (x: number) => string;
}

/** Indices of values whose neighbours are both unknown: a line cannot show them, so a point must (null if none). */
export function isolatedPoints(values: readonly (number | null)[]): number[] | null {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (values[i] == null) continue;
    if ((i === 0 || values[i - 1] == null) && (i === values.length - 1 || values[i + 1] == null)) out.push(i);
  }
  return out.length > 0 ? out : null;
}

export function buildOptions(props: TimeSeriesChartProps, theme: ChartTheme, width: number, cb: Callbacks): uPlot.Options {
  const { x, series, unavailable = [], kind = 'line', height = 200 } = props;
  const n = x.length;
  const colors = seriesColors(props, theme);
  const hasValues = series.some((s) => s.values.some((v) => v !== null));
  const reasons = distinctReasons(unavailable).map((r) => r.reason);
  const painter = makeBandPainter(x, unavailable, reasons, theme);
  // Too few buckets for an area to show anything (one point is no area): a stack is drawn as stacked bars instead.
  const bars = kind === 'bars' || (kind === 'stacked' && n < 3) ? uPlot.paths.bars?.({ size: [0.7, 60], align: 0 }) : undefined;
  const fills = kind === 'stacked' ? areaFills(colors, theme) : [];

  return {
    width,
    height,
    legend: { show: false },
    cursor: {
      y: false,
      drag: { x: false, y: false, setScale: false },
      points: { size: 8, fill: theme.surface },
    },
    scales: {
      // Bucket indices, padded half a bucket each side so bars and bands cover whole slots.
      x: { time: false, range: () => [-0.5, Math.max(0.5, n - 0.5)] },
      y: {
        range: (_u, min, max) => {
          if (!hasValues) return [0, 1];
          // Zero-based: an amount's bar or a KPI's line is judged against nothing, not against the lowest bucket.
          const lo = min < 0 ? -niceCeil(-min) : 0;
          // 5 % headroom, so the tallest bar or point does not touch the frame.
          const hi = niceCeil(Math.max(max, 0) * 1.05);
          return [lo, props.yMax !== undefined && max <= props.yMax ? Math.min(hi, props.yMax) : hi];
        },
      },
    },
    axes: [
      {
        stroke: theme.muted,
        font: FONT,
        grid: { show: false },
        ticks: { stroke: theme.border, size: 4 },
        // One line of 11-px labels: uPlot's default 50 px leaves a gap above the legend.
        size: 28,
        incrs: BUCKET_STEPS,
        space: 64,
        values: (_u, splits) => splits.map((i) => (Number.isInteger(i) && x[i] !== undefined ? cb.formatX()(x[i]) : '')),
      },
      {
        // With no known value at all there is no value axis: nothing on screen may read as a 0.
        show: hasValues,
        stroke: theme.muted,
        font: FONT,
        grid: { stroke: theme.border, width: 1 },
        ticks: { show: false },
        space: 32,
        ...(props.yIncrs ? { incrs: [...props.yIncrs] } : {}),
        size: axisSize,
        values: (_u, splits) => splits.map((v) => cb.formatValue()(v)),
      },
    ],
    series: [
      {},
      ...series.map((s, i) => ({
        label: s.label,
        stroke: colors[i],
        // Null stays a gap: never bridged by a line, never a bar.
        spanGaps: false,
        ...(bars
          ? { fill: kind === 'stacked' ? fills[i] : colors[i], width: kind === 'stacked' ? 1 : 0, paths: bars, points: { show: false } }
          : kind === 'stacked'
            ? // Drawn top of the stack first, each lower area over it: opaque fills never blend into each other.
              { fill: fills[i], width: 1.5, points: { show: false } }
            : // Dense lines hide their points, but a value with no neighbour draws no line either: it keeps its dot.
              {
                width: 2,
                dash: DASHES[i % DASHES.length],
                points: {
                  show: n <= 60,
                  size: 5,
                  fill: theme.surface,
                  filter: (_u: uPlot, _si: number, show: boolean) => (show ? null : isolatedPoints(s.values)),
                },
              }),
      })),
    ],
    hooks: {
      drawClear: [(u) => painter.bands(u)],
      draw: [
        (u) => {
          if (bars && kind === 'bars') drawZeroBars(u, colors);
          painter.labels(u);
        },
      ],
      // The bucket's centre from the chart box's left edge, in CSS pixels (bbox is in canvas pixels).
      setCursor: [(u) => cb.onCursor(u.cursor.idx ?? null, u.cursor.idx == null ? 0 : u.bbox.left / uPlot.pxRatio + u.valToPos(u.cursor.idx, 'x'))],
    },
  };
}
