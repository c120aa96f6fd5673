import { useMemo, useState } from 'react';
import { LazyTimeSeriesChart } from '../../components/charts/LazyTimeSeriesChart.js';
import type { TimeSeries, UnavailableRange } from '../../components/charts/time-series.js';
import { colorVarOf, type ChartGroup } from './chart-model.js';
import { directionText, formatBucket, formatValue, unitLabel } from './format.js';

export type OpenLineage = (ref: string, opener: HTMLElement) => void;

const BUCKET_MS = { hour: 3_600_000, day: 86_400_000 } as const;

/** Runs of buckets where no agent has a value: hatched and labelled "no data" by the chart, never drawn as zero. */
function noDataRuns(group: ChartGroup): UnavailableRange[] {
  const runs: UnavailableRange[] = [];
  const size = BUCKET_MS[group.granularity];
  group.times.forEach((t, i) => {
    if (group.lines.some((l) => l.values[i] !== null)) return;
    const last = runs[runs.length - 1];
    if (last && last.to === t) last.to = t + size;
    else runs.push({ from: t, to: t + size, reason: 'no_events', label: 'no source events' });
  });
  return runs;
}

/**
 * Every agent's value per bucket with a button to its sources: the keyboard and screen-reader way to each point's
 * lineage (the shared chart's own table lists values only, and Enter on the chart opens one agent per bucket).
 * Rendered only while open, so a month of hours costs nothing until asked for.
 */
function DataTable({ group, title, fmt, onOpen }: { group: ChartGroup; title: string; fmt: (v: number) => string; onOpen: OpenLineage }) {
  const [open, setOpen] = useState(false);
  const granularity = group.granularity;
  return (
    <details className="mt-2 text-sm" onToggle={(e) => setOpen(e.currentTarget.open)} data-testid="trend-table-toggle">
      <summary className="cursor-pointer text-muted hover:text-fg">Show each agent&apos;s values with their sources</summary>
      {open && (
        <div className="mt-2 max-h-80 overflow-auto rounded border border-border">
          <table className="w-full text-left text-xs tabular-nums" data-testid="trend-table">
            <caption className="sr-only">{title}, per bucket and agent (UTC)</caption>
            <thead className="sticky top-0 bg-surface-2">
              <tr>
                <th scope="col" className="px-2 py-1 font-semibold">
                  Bucket (UTC)
                </th>
                {group.lines.map((l) => (
                  <th key={l.agentId} scope="col" className="px-2 py-1 text-right font-semibold">
                    {l.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {group.starts.map((start, i) => (
                <tr key={start} className="border-t border-border">
                  <th scope="row" className="whitespace-nowrap px-2 py-1 font-normal">
                    {formatBucket(start, granularity)}
                  </th>
                  {group.lines.map((l) => {
                    const v = l.values[i] ?? null;
                    const ref = l.lineageRefs[i] ?? null;
                    return (
                      <td
                        key={l.agentId}
                        data-testid="trend-cell"
                        data-agent={l.agentId}
                        data-start={start}
                        data-value={v ?? ''}
                        className={`px-2 py-1 text-right ${v === null ? 'text-muted' : ''}`}
                      >
                        {v === null ? 'no data' : fmt(v)}
                        {ref && (
                          <button
                            type="button"
                            onClick={(e) => onOpen(ref, e.currentTarget)}
                            className="ml-2 rounded border border-border px-1.5 py-0.5 text-[11px] hover:bg-surface-2"
                            aria-label={`Show sources of ${l.label}, ${formatBucket(start, granularity)}`}
                            data-testid="show-sources"
                          >
                            sources
                          </button>
                        )}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </details>
  );
}

const dayTick = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const hourTick = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' });
/** Short UTC axis labels: "Nov 23" for days; "14:00" for hours, with the date at midnight. */
const tick = (t: number, granularity: 'hour' | 'day') => (granularity === 'day' || t % 86_400_000 === 0 ? dayTick.format(t) : hourTick.format(t));

function KpiChart({ group, onOpen }: { group: ChartGroup; onOpen: OpenLineage }) {
  const def = group.definition;
  const name = def?.name ?? group.kpi;
  const unit = unitLabel(def?.unit, group.unit);
  const title = `${name}${unit ? ` (${unit})` : ''}`;
  const fmt = (v: number) => formatValue(v, def?.unit, group.unit);
  const empty = group.lines.length === 0 || !group.hasData;
  // Memoised on the group: the chart rebuilds its canvas whenever these change identity.
  const series = useMemo<TimeSeries[]>(
    () => group.lines.map((l) => ({ id: l.agentId, label: l.label, values: l.values, colorVar: colorVarOf(l.colorIndex) })),
    [group],
  );
  const unavailable = useMemo(() => noDataRuns(group), [group]);
  const silent = group.lines.filter((l) => l.values.every((v) => v === null));
  return (
    <section
      tabIndex={-1}
      className="min-w-0 rounded-md border border-border bg-surface p-3 outline-none focus-visible:outline-2"
      data-testid="trend-chart"
      data-kpi={group.kpi}
      data-unit={group.unit}
      data-lines={group.lines.length}
      data-buckets={group.times.length}
      data-has-data={String(!empty)}
      aria-labelledby={`chart-${group.key}-title`}
    >
      <div className="mb-2">
        <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
          <h3 id={`chart-${group.key}-title`} className="text-sm font-semibold">
            {title}
          </h3>
          {def && <span className="text-xs text-muted">{directionText(def)}</span>}
        </div>
        {def && (
          <details className="text-xs text-muted">
            <summary className="cursor-pointer hover:text-fg">Definition</summary>
            <p className="mt-1" data-testid="kpi-definition">
              {def.definition}
            </p>
          </details>
        )}
      </div>
      {group.lines.length === 0 ? (
        <p role="status" data-testid="chart-no-data" className="rounded border border-dashed border-border px-3 py-8 text-center text-sm text-muted">
          No data: no agent has a value for this KPI in this range.
        </p>
      ) : (
        <>
          {empty && (
            <p role="status" data-testid="chart-no-data" className="mb-1 text-sm text-muted">
              No data for the chosen agents in this range (not zero: nothing was recorded).
            </p>
          )}
          <LazyTimeSeriesChart
            label={`${title} per ${group.granularity} (UTC)`}
            x={group.times}
            series={series}
            unavailable={unavailable}
            formatValue={fmt}
            formatX={(t) => tick(t, group.granularity)}
            formatXLong={(t) => `${formatBucket(new Date(t).toISOString(), group.granularity)} UTC`}
            kind="line"
            height={180}
            {...(def?.unit === 'ratio' ? { yMax: 1 } : {})}
            // Click, tap or Enter on a bucket: the sources of the agent's value nearest the pointer.
            onSelect={(bucket, line, opener) => {
              const ref = line === null ? null : group.lines[line]?.lineageRefs[bucket];
              if (ref) onOpen(ref, opener);
            }}
          />
          {!empty && silent.length > 0 && (
            <p className="mt-1 text-xs text-muted" data-testid="agents-without-data">
              No data in this range for {silent.map((l) => l.label).join(', ')}.
            </p>
          )}
          <DataTable group={group} title={title} fmt={fmt} onOpen={onOpen} />
        </>
      )}
    </section>
  );
}

/** One small chart per KPI (and per currency for money KPIs): a grid on a wide screen, stacked on a phone. */
export function TrendCharts({ groups, onOpen }: { groups: ChartGroup[]; onOpen: OpenLineage }) {
  return (
    <div className="grid gap-3 lg:grid-cols-2" data-testid="trend-charts">
      {groups.map((g) => (
        <KpiChart key={g.key} group={g} onOpen={onOpen} />
      ))}
    </div>
  );
}
