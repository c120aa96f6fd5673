import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './time-series-chart.css';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { ChartDataTable } from './ChartDataTable.js';
import { ChartLegend } from './ChartLegend.js';
import { hatchStyle } from './hatch.js';
import { useChartTheme } from './chart-theme.js';
import { distinctReasons, rangeAt, stackValues, type TimeSeries, type TimeSeriesChartProps } from './time-series.js';
import { areaFills, buildOptions, seriesColors } from './uplot-options.js';
import { useElementWidth } from './use-element-width.js';

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

/**
 * A bucketed time series on uPlot (canvas; ~22 KB gzipped, fast with thousands of points). Import it through
 * LazyTimeSeriesChart so uPlot stays out of the page's chunk. Width follows the container, colours follow the theme,
 * unknown buckets are hatched bands (never a zero), and the numbers are also offered as a table.
 */
export default function TimeSeriesChart(props: TimeSeriesChartProps) {
  const { label, x, series, unavailable, formatValue, formatX, formatXLong = formatX, kind = 'line', height = 200, onSelect, yIncrs, yMax, hasSources } = props;
  const theme = useChartTheme();
  const [boxRef, width] = useElementWidth<HTMLDivElement>();
  const plotRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<uPlot | null>(null);
  const [cursor, setCursor] = useState<{ idx: number; left: number } | null>(null);

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
    const opts = buildOptions({ label, x, series, unavailable, kind, height, yIncrs, ...(yMax !== undefined ? { yMax } : {}), formatValue: (v) => format.current.formatValue(v), formatX: (v) => format.current.formatX(v) }, theme, widthRef.current, {
      onCursor: (idx, left) => setCursor(idx === null ? null : { idx, left }),
      formatValue: () => format.current.formatValue,
      formatX: () => format.current.formatX,
    });
    // A stacked chart draws running sums; everything people read (tooltip, table, readout) stays each series' own value.
    const heights = kind === 'stacked' ? stackValues(series) : series.map((s) => [...s.values]);
    const data: uPlot.AlignedData = [x.map((_, i) => i), ...heights];
    const u = new uPlot(opts, data, el);
    chartRef.current = u;
    // uPlot's cursor follows mouse events only. Touch: a tap or a horizontal drag picks the bucket under the finger,
    // and the tooltip stays until the next touch; vertical swipes still scroll the page (touch-action).
    u.over.style.touchAction = 'pan-y';
    const onTouch = (e: PointerEvent) => {
      if (e.pointerType === 'mouse') return;
      const r = u.over.getBoundingClientRect();
      u.setCursor({ left: e.clientX - r.left, top: e.clientY - r.top });
    };
    u.over.addEventListener('pointerdown', onTouch);
    u.over.addEventListener('pointermove', onTouch);
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
  }, [measured, label, x, series, unavailable, kind, height, yIncrs, yMax, theme]);

  const colors = useMemo(() => seriesColors({ series }, theme), [series, theme]);
  const reasons = useMemo(() => distinctReasons(unavailable), [unavailable]);
  const unavailableCount = useMemo(() => x.filter((v) => rangeAt(unavailable, v)).length, [x, unavailable]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
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
    const next = e.key === 'ArrowRight' ? (cur === undefined ? 0 : Math.min(last, cur + 1)) : e.key === 'ArrowLeft' ? (cur === undefined ? last : Math.max(0, cur - 1)) : e.key === 'Home' ? 0 : e.key === 'End' ? last : e.key === 'Escape' ? -1 : null;
    if (next === null) return;
    e.preventDefault();
    if (next < 0) u.setCursor({ left: -10, top: -10 });
    else u.setCursor({ left: u.valToPos(next, 'x'), top: u.over.clientHeight / 2 });
  };

  const xv = cursor ? x[cursor.idx] : undefined;
  const gap = rangeAt(unavailable, xv);
  const tipRows = xv === undefined || !cursor ? [] : series.map((s, i) => ({ id: s.id, label: s.label, color: colors[i], value: s.values[cursor.idx] ?? null }));
  const readout = xv === undefined ? '' : `${formatXLong(xv)}: ${gap ? `no data (${gap.label})` : tipRows.map((r) => `${r.label} ${r.value === null ? 'no value' : formatValue(r.value)}`).join(', ')}`;

  if (x.length === 0) return <p className="py-6 text-center text-sm text-muted">No periods in this range.</p>;
  return (
    <figure className="min-w-0" data-testid="time-series-chart" data-series-colors={colors.join(' ')} data-points={x.length} data-unavailable-points={unavailableCount}>
      <div ref={boxRef} className="relative w-full min-w-0" style={{ height }}>
        <div
          ref={plotRef}
          role="img"
          tabIndex={0}
          onKeyDown={onKeyDown}
          aria-label={`${label}: ${x.length} periods${unavailableCount ? `, ${unavailableCount} without data` : ''}. The table below lists every value.`}
          className="bmad-chart h-full w-full overflow-hidden rounded-sm"
        />
        {cursor && xv !== undefined && (
          <div
            aria-hidden="true"
            data-testid="chart-tooltip"
            className="pointer-events-none absolute top-1 z-10 w-max max-w-[min(18rem,100%)] rounded border border-border bg-surface px-2 py-1 text-xs text-fg shadow-md"
            // Anchored at the cursor and shifted by the cursor's share of the width: flush left at the first bucket,
            // flush right at the last, so it never leaves the chart, whatever its own width (no measuring needed).
            style={{ left: cursor.left, transform: `translateX(-${Math.round((Math.min(Math.max(cursor.left / Math.max(width, 1), 0), 1)) * 100)}%)` }}
          >
            <p className="font-semibold">{formatXLong(xv)}</p>
            {gap ? (
              <p className="flex items-center gap-1">
                <span className="inline-block h-3 w-3 shrink-0 rounded-sm border border-border" style={hatchStyle(reasons.findIndex((r) => r.reason === gap.reason))} />
                no data: {gap.label}
              </p>
            ) : (
              tipRows.map((r) => (
                <p key={r.id} className="flex items-center gap-1 tabular-nums">
                  <span className="inline-block h-2 w-2 shrink-0 rounded-full" style={{ background: r.color }} />
                  <span className="min-w-0 truncate" title={r.label}>
                    {r.label}
                  </span>
                  <span className="ml-auto whitespace-nowrap pl-2 font-semibold">{r.value === null ? 'no value' : formatValue(r.value)}</span>
                </p>
              ))
            )}
          </div>
        )}
      </div>
      <p aria-live="polite" className="sr-only">
        {readout}
      </p>
      <figcaption>
        <ChartLegend series={series} colors={kind === 'stacked' ? areaFills(colors, theme) : colors} strokes={colors} kind={kind} reasons={reasons} />
      </figcaption>
      <ChartDataTable label={label} x={x} series={series} unavailable={unavailable} formatValue={formatValue} formatX={formatXLong} sources={onSelect && hasSources ? { has: hasSources, open: onSelect } : undefined} />
    </figure>
  );
}
