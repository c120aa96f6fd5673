import uPlot from 'uplot';
import { useEffect, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import type { ChartTheme } from './chart-theme.js';
import { stackValues, type TimeSeries, type TimeSeriesChartProps } from './time-series.js';
import { buildOptions } from './uplot-options.js';

/** Where the chart's cursor sits: the bucket index and its left offset in CSS px. */
export interface ChartCursor {
  idx: number;
  left: number;
}

/** The series whose point at bucket `idx` is nearest the pointer's height (CSS px from the plot's top), if any has one. */
function nearestSeries(u: uPlot, series: readonly TimeSeries[], idx: number, y: number): number | null {
  let nearest: number | null = null;
  let distance = Infinity;
  series.forEach((s, si) => {
    const v = s.values[idx];
    if (v === null || v === undefined) return;
    const d = Math.abs(u.valToPos(v, 'y') - y);
    if (d < distance) [nearest, distance] = [si, d];
  });
  return nearest;
}

/** The stacked area under the pointer at bucket `idx` (a series with a positive value there); null above the stack. */
function areaAt(u: uPlot, heights: readonly (number | null)[][], idx: number, y: number): number | null {
  for (let si = 0; si < heights.length; si++) {
    const top = heights[si]?.[idx];
    if (top === null || top === undefined) continue;
    let below = 0;
    for (let k = si + 1; k < heights.length; k++) {
      const h = heights[k]?.[idx];
      if (h !== null && h !== undefined) {
        below = h;
        break;
      }
    }
    if (top > below && y >= u.valToPos(top, 'y') - 1 && y <= u.valToPos(below, 'y') + 1) return si;
  }
  return null;
}

/** uPlot's cursor follows mouse events only. Touch: a tap or a horizontal drag picks the bucket under the finger. */
function followTouch(u: uPlot) {
  // The tooltip stays until the next touch; vertical swipes still scroll the page (touch-action).
  u.over.style.touchAction = 'pan-y';
  const onTouch = (e: PointerEvent) => {
    if (e.pointerType === 'mouse') return;
    const r = u.over.getBoundingClientRect();
    u.setCursor({ left: e.clientX - r.left, top: e.clientY - r.top });
  };
  u.over.addEventListener('pointerdown', onTouch);
  u.over.addEventListener('pointermove', onTouch);
}

/**
 * The uPlot instance behind a TimeSeriesChart: built into `plotRef` once the container has a width, rebuilt when the
 * data or theme change, resized with the container. Returns the instance (through a ref) and the cursor it reports.
 */
export function useUplot(props: TimeSeriesChartProps, theme: ChartTheme, width: number, plotRef: RefObject<HTMLDivElement | null>) {
  const { label, x, series, unavailable, formatValue, formatX, kind = 'line', height = 200, onSelect, yIncrs, yMax } = props;
  const chartRef = useRef<uPlot | null>(null);
  const [cursor, setCursor] = useState<ChartCursor | null>(null);

  // Formatters are read through a ref so a parent passing new closures on every render does not rebuild the chart.
  const format = useRef({ formatValue, formatX, onSelect });
  useEffect(() => {
    format.current = { formatValue, formatX, onSelect };
  });
  const widthRef = useRef(width);
  useEffect(() => {
    widthRef.current = width;
    chartRef.current?.setSize({ width, height });
  }, [width, height]);

  const measured = width > 0;
  useEffect(() => {
    const el = plotRef.current;
    if (!measured || !el) return;
    const opts = buildOptions(
      {
        label,
        x,
        series,
        unavailable,
        kind,
        height,
        yIncrs,
        ...(yMax !== undefined ? { yMax } : {}),
        formatValue: (v) => format.current.formatValue(v),
        formatX: (v) => format.current.formatX(v),
      },
      theme,
      widthRef.current,
      {
        onCursor: (idx, left) => setCursor(idx === null ? null : { idx, left }),
        formatValue: () => format.current.formatValue,
        formatX: () => format.current.formatX,
      },
    );
    // A stacked chart draws running sums; everything people read (tooltip, table, readout) stays each series' own value.
    const heights = kind === 'stacked' ? stackValues(series) : series.map((s) => [...s.values]);
    const data: uPlot.AlignedData = [x.map((_, i) => i), ...heights];
    const u = new uPlot(opts, data, el);
    chartRef.current = u;
    followTouch(u);
    const onClick = (e: MouseEvent) => {
      const idx = u.cursor.idx;
      if (idx == null || !format.current.onSelect) return;
      const y = e.clientY - u.over.getBoundingClientRect().top;
      format.current.onSelect(idx, kind === 'stacked' ? areaAt(u, heights, idx, y) : nearestSeries(u, series, idx, y), el);
    };
    u.over.addEventListener('click', onClick);
    return () => {
      u.destroy();
      chartRef.current = null;
      setCursor(null);
    };
  }, [measured, label, x, series, unavailable, kind, height, yIncrs, yMax, theme, plotRef]);

  return { chartRef, cursor };
}

/** The bucket a key moves the cursor to (-1: off the chart), or null for a key that does not move it. */
function nextBucket(key: string, cur: number | undefined, last: number): number | null {
  if (key === 'ArrowRight') return cur === undefined ? 0 : Math.min(last, cur + 1);
  if (key === 'ArrowLeft') return cur === undefined ? last : Math.max(0, cur - 1);
  if (key === 'Home') return 0;
  if (key === 'End') return last;
  if (key === 'Escape') return -1;
  return null;
}

/** Keyboard for the focused chart: arrows, Home and End move between buckets, Esc leaves, Enter selects. */
export function useChartKeys(props: TimeSeriesChartProps, chartRef: RefObject<uPlot | null>, cursor: ChartCursor | null) {
  const { x, series, kind = 'line', onSelect } = props;
  return (e: KeyboardEvent<HTMLDivElement>) => {
    const u = chartRef.current;
    if (!u || x.length === 0) return;
    const last = x.length - 1;
    const cur = cursor?.idx;
    if (e.key === 'Enter' && cur !== undefined && onSelect) {
      e.preventDefault();
      // A stack's bucket as a whole (every series in it); otherwise the first series with a value there.
      const si = kind === 'stacked' ? -1 : series.findIndex((s) => s.values[cur] !== null && s.values[cur] !== undefined);
      onSelect(cur, si < 0 ? null : si, e.currentTarget);
      return;
    }
    const next = nextBucket(e.key, cur, last);
    if (next === null) return;
    e.preventDefault();
    if (next < 0) u.setCursor({ left: -10, top: -10 });
    else u.setCursor({ left: u.valToPos(next, 'x'), top: u.over.clientHeight / 2 });
  };
}
