import { useMemo } from 'react';
import type { CostTimeseries } from '../../../contracts/index.js';
import { LazyTimeSeriesChart } from '../../components/charts/LazyTimeSeriesChart.js';
import { unavailableRuns, type TimeSeries } from '../../components/charts/time-series.js';
import { bucketLabel, money, shortReason } from './cost-format.js';

type Series = CostTimeseries['series'][number];

/** One currency's buckets as chart props: unknown amounts are gaps plus a labelled band, a known 0 stays a 0. */
function CurrencyChart({ s, bucket, tz }: { s: Series; bucket: CostTimeseries['bucket']; tz: string }) {
  const chart = useMemo(() => {
    const x = s.buckets.map((b) => Date.parse(b.start));
    const series: TimeSeries[] = [{ id: s.currency, label: s.currency, values: s.buckets.map((b) => (b.status === 'available' ? b.amount : null)) }];
    const unavailable = unavailableRuns(
      s.buckets,
      (b) => ({ from: Date.parse(b.start), to: Date.parse(b.end), reason: b.status === 'unavailable' ? b.reason : null }),
      shortReason,
    );
    return { x, series, unavailable };
  }, [s]);
  const unknown = s.buckets.filter((b) => b.status === 'unavailable').length;
  return (
    <div data-testid="cost-chart" data-currency={s.currency} data-buckets={s.buckets.length} data-unavailable-buckets={unknown} className="min-w-0">
      <LazyTimeSeriesChart
        kind="bars"
        label={`Cost per ${bucket} in ${s.currency} (${tz})`}
        x={chart.x}
        series={chart.series}
        unavailable={chart.unavailable}
        formatValue={(n) => money(n, s.currency)}
        formatX={(ms) => bucketLabel(new Date(ms).toISOString(), bucket, tz)}
        formatXLong={(ms) => bucketLabel(new Date(ms).toISOString(), bucket, tz, true)}
      />
    </div>
  );
}

export function CostCharts({ series, tz }: { series: CostTimeseries; tz: string }) {
  return (
    <section aria-labelledby="chart-title" className="mb-4 min-w-0 rounded-md border border-border bg-surface p-3">
      <h2 id="chart-title" className="mb-2 text-base font-semibold">
        Per {series.bucket} <span className="text-sm font-normal text-muted">({tz})</span>
      </h2>
      <div className="space-y-4">
        {series.series.map((s) => (
          <CurrencyChart key={s.currency} s={s} bucket={series.bucket} tz={tz} />
        ))}
      </div>
    </section>
  );
}
