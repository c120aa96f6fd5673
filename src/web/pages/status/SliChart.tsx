import { useMemo } from 'react';
import type { SliKey, StatusSeries } from '../../../contracts/index.js';
import { LazyTimeSeriesChart } from '../../components/charts/LazyTimeSeriesChart.js';
import { unavailableRuns, type TimeSeries } from '../../components/charts/time-series.js';
import { formatSlot, tickFormatter } from './format.js';

export interface ChartLine {
  key: SliKey;
  label: string;
  colorVar?: string;
}

/** One small chart of the window: slots without a sample are hatched "no sample", never drawn as zero. */
export function SliChart({
  label,
  lines,
  series,
  resolutionMs,
  format,
  yIncrs,
  yMax,
}: {
  label: string;
  lines: readonly ChartLine[];
  series: StatusSeries;
  resolutionMs: number;
  format: (v: number) => string;
  yIncrs?: readonly number[];
  yMax?: number;
}) {
  const data = useMemo<TimeSeries[]>(
    () => lines.map((l) => ({ id: l.key, label: l.label, values: series.values[l.key], ...(l.colorVar ? { colorVar: l.colorVar } : {}) })),
    [lines, series],
  );
  const unavailable = useMemo(
    () =>
      unavailableRuns(
        series.x.map((x, i) => ({ x, n: series.samples[i] ?? 0 })),
        (b) => ({ from: b.x, to: b.x + resolutionMs, reason: b.n === 0 ? 'no_sample' : null }),
        () => 'no sample (the server was not running)',
      ),
    [series, resolutionMs],
  );
  const formatX = useMemo(() => tickFormatter(), []);
  return (
    <div className="mt-3" data-testid="sli-chart" data-chart={lines.map((l) => l.key).join(',')}>
      <LazyTimeSeriesChart
        label={label}
        x={series.x}
        series={data}
        unavailable={unavailable}
        formatValue={format}
        formatX={formatX}
        formatXLong={formatSlot}
        height={150}
        {...(yIncrs ? { yIncrs } : {})}
        {...(yMax !== undefined ? { yMax } : {})}
      />
    </div>
  );
}
