import { lazy, Suspense } from 'react';
import type { TimeSeriesChartProps } from './time-series.js';

const TimeSeriesChart = lazy(() => import('./TimeSeriesChart.js'));

/** The chart with uPlot in its own chunk, fetched the first time a chart is shown; holds its height while loading. */
export function LazyTimeSeriesChart(props: TimeSeriesChartProps) {
  return (
    <Suspense
      fallback={
        <p role="status" className="flex items-center justify-center text-sm text-muted" style={{ height: props.height ?? 200 }}>
          Loading the chart…
        </p>
      }
    >
      <TimeSeriesChart {...props} />
    </Suspense>
  );
}
