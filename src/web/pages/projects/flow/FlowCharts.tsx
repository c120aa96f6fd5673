import { useMemo, type ReactNode } from 'react';
import type { FlowResponse, FlowSourcesQuery } from '../../../../contracts/index.js';
import { LazyTimeSeriesChart } from '../../../components/charts/LazyTimeSeriesChart.js';
import { COUNT_STEPS, HOUR_STEPS } from '../../../components/charts/time-series.js';
import { formatHours } from '../../../components/duration.js';
import { bucketLong, bucketTick } from './flow-format.js';
import { burndownChart, cfdChart, cycleTimeChart, throughputChart, type FlowChart } from './flow-model.js';

export type OpenSources = (q: FlowSourcesQuery, opener: HTMLElement) => void;

function ChartCard({ id, title, hint, className = '', children }: { id: string; title: string; hint: string; className?: string; children: ReactNode }) {
  return (
    <section className={`min-w-0 rounded-md border border-border bg-surface p-2 sm:p-3 ${className}`} aria-labelledby={`${id}-title`} data-testid={id}>
      <h3 id={`${id}-title`} className="text-sm font-semibold">
        {title}
      </h3>
      {/* Two lines held for every hint, so charts side by side start at the same height. */}
      <p className="mb-2 text-xs text-muted lg:min-h-8">{hint}</p>
      {children}
    </section>
  );
}

const count = (n: number) => String(n);
const valueAt = (chart: FlowChart, bucket: number, series: number) => chart.series[series]?.values[bucket] ?? null;

/** What each chart card gets: the flow, its tick formatter, and where a picked point's sources open. */
interface CardProps {
  flow: FlowResponse;
  formatX: (ms: number) => string;
  onOpen: OpenSources;
}

/** The cumulative flow diagram: stories per BMAD column, stacked. */
function CfdCard({ flow, formatX, onOpen }: CardProps) {
  const { bucket, tz } = flow;
  const cfd = useMemo(() => cfdChart(flow), [flow]);
  return (
    <ChartCard
      id="flow-cfd"
      title={`Cumulative flow, per ${bucket}`}
      hint="Stories in each BMAD column at the end of each period; the bands stack from done at the bottom to backlog on top."
      className="lg:col-span-3"
    >
      <LazyTimeSeriesChart
        kind="stacked"
        yIncrs={COUNT_STEPS}
        label={`Stories per BMAD column, per ${bucket} (${tz})`}
        x={cfd.x}
        series={cfd.series}
        unavailable={cfd.unavailable}
        formatValue={count}
        formatX={formatX}
        formatXLong={(ms) => bucketLong(ms, bucket, tz)}
        height={240}
        hasSources={(b, s) => (valueAt(cfd, b, s) ?? 0) > 0}
        onSelect={(b, s, opener) => {
          const k = cfd.buckets[b];
          if (!k || flow.cfd[b]?.counts === null) return;
          onOpen({ kind: 'cfd', start: k.start, end: k.end, column: s === null ? undefined : flow.columns[s] }, opener);
        }}
      />
    </ChartCard>
  );
}

/** The burndown per epic, or why there is none. */
function BurndownCard({ flow, formatX, onOpen }: CardProps) {
  const { bucket, tz } = flow;
  const burn = useMemo(() => burndownChart(flow), [flow]);
  return (
    <ChartCard id="flow-burndown" title={`Burndown per epic, per ${bucket}`} hint="Stories of each epic not done yet at the end of each period.">
      {flow.burndown.length === 0 ? (
        <p className="rounded border border-dashed border-border px-3 py-8 text-center text-sm text-muted">No story names an epic, so there is no burndown.</p>
      ) : (
        <LazyTimeSeriesChart
          kind="line"
          yIncrs={COUNT_STEPS}
          label={`Stories not done per epic, per ${bucket} (${tz})`}
          x={burn.x}
          series={burn.series}
          unavailable={burn.unavailable}
          formatValue={count}
          formatX={formatX}
          formatXLong={(ms) => bucketLong(ms, bucket, tz)}
          hasSources={(b, s) => valueAt(burn, b, s) !== null}
          onSelect={(b, s, opener) => {
            const epic = s === null ? undefined : flow.burndown[s];
            const p = epic?.points[b];
            if (epic && p && p.remaining !== null) onOpen({ kind: 'burndown', start: p.start, end: p.end, epic: epic.epic }, opener);
          }}
        />
      )}
    </ChartCard>
  );
}

/** Throughput per week: stories that reached done. */
function ThroughputCard({
  done,
  tz,
  formatX,
  weekly,
  openWeek,
}: {
  done: FlowChart;
  tz: string;
  formatX: (ms: number) => string;
  weekly: (ms: number) => string;
  openWeek: (b: number, opener: HTMLElement) => void;
}) {
  return (
    <ChartCard id="flow-throughput" title="Throughput per week" hint="Stories that reached done each week.">
      <LazyTimeSeriesChart
        kind="bars"
        yIncrs={COUNT_STEPS}
        label={`Stories done per week (${tz})`}
        x={done.x}
        series={done.series}
        unavailable={done.unavailable}
        formatValue={count}
        formatX={formatX}
        formatXLong={weekly}
        hasSources={(b) => (valueAt(done, b, 0) ?? 0) > 0}
        onSelect={(b, _s, opener) => openWeek(b, opener)}
      />
    </ChartCard>
  );
}

/** Cycle time per week (median, p85, p95), or why there is none. */
function CycleTimeCard({
  flow,
  formatX,
  weekly,
  openWeek,
}: {
  flow: FlowResponse;
  formatX: (ms: number) => string;
  weekly: (ms: number) => string;
  openWeek: (b: number, opener: HTMLElement) => void;
}) {
  const { tz } = flow;
  const cycle = useMemo(() => cycleTimeChart(flow), [flow]);
  return (
    <ChartCard id="flow-cycle-time" title="Cycle time per week" hint="From first in progress to done, for the stories finished that week: median, p85 and p95.">
      {cycle.series.every((x) => x.values.every((v) => v === null)) ? (
        <p className="rounded border border-dashed border-border px-3 py-8 text-center text-sm text-muted" data-testid="cycle-time-empty">
          No story in this range was seen both going into progress and reaching done, so there is no cycle time to draw.
        </p>
      ) : (
        <LazyTimeSeriesChart
          kind="line"
          label={`Cycle time percentiles per week (${tz})`}
          x={cycle.x}
          series={cycle.series}
          unavailable={cycle.unavailable}
          formatValue={formatHours}
          yIncrs={HOUR_STEPS}
          formatX={formatX}
          formatXLong={weekly}
          hasSources={(b, s) => valueAt(cycle, b, s) !== null}
          onSelect={(b, _s, opener) => openWeek(b, opener)}
        />
      )}
    </ChartCard>
  );
}

/**
 * The project's flow: a cumulative flow diagram (stories per BMAD column), a burndown per epic, and throughput per
 * week with its cycle time. A click (or Enter, or a table's "sources" button) on a point opens the transitions behind it.
 */
export function FlowCharts({ flow, onOpen }: { flow: FlowResponse; onOpen: OpenSources }) {
  const { tz } = flow;
  const done = useMemo(() => throughputChart(flow), [flow]);
  const formatX = (ms: number) => bucketTick(ms, tz);
  const weekly = (ms: number) => bucketLong(ms, 'week', tz);
  const openWeek = (b: number, opener: HTMLElement) => {
    const w = done.buckets[b];
    if (w && flow.throughput[b]?.done !== null) onOpen({ kind: 'throughput', start: w.start, end: w.end }, opener);
  };
  return (
    <div className="grid gap-3 lg:grid-cols-3" data-testid="flow-charts">
      <CfdCard flow={flow} formatX={formatX} onOpen={onOpen} />
      <BurndownCard flow={flow} formatX={formatX} onOpen={onOpen} />
      <ThroughputCard done={done} tz={tz} formatX={formatX} weekly={weekly} openWeek={openWeek} />
      <CycleTimeCard flow={flow} formatX={formatX} weekly={weekly} openWeek={openWeek} />
    </div>
  );
}
