import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { KpiKey } from '../../../contracts/index.js';
import { ApiError } from '../../api/http.js';
import { useNames } from '../../api/use-names.js';
import { useParamSetter } from '../../components/filters.js';
import { StaleBanner } from '../../components/StaleBanner.js';
import { Empty, ErrorState, Loading, PageHeader } from '../../components/states.js';
import { useStaleness } from '../../live/live-context.js';
import { filtersFrom, rangeErrors, rangeOf, type RangeErrors } from './analytics-params.js';
import { analyticsQueries } from './analytics-queries.js';
import { buildCharts } from './chart-model.js';
import { directionText, formatInstant, unitLabel } from './format.js';
import { LineageDrawer } from './LineageDrawer.js';
import { MultiSelect } from './MultiSelect.js';
import { OutlierList } from './OutlierList.js';
import { RangeControls } from './RangeControls.js';
import { TrendCharts } from './TrendCharts.js';
import { useLiveAnalytics } from './use-live-analytics.js';

/** The server's 422 field errors, placed on the fields they are about (the client rules should have caught them). */
function serverErrors(...errors: unknown[]): RangeErrors {
  const out: RangeErrors = {};
  for (const error of errors) {
    if (!(error instanceof ApiError) || error.status !== 422) continue;
    for (const field of ['start', 'end', 'bucket'] as const) out[field] ??= error.fields.find((x) => x.path === field || x.path.endsWith(`.${field}`))?.message;
  }
  return out;
}

/** The clock for preset windows, re-read each minute: the range moves on when a new bucket starts. */
function useMinuteClock(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(t);
  }, []);
  return now;
}

export default function AnalyticsPage() {
  const [params] = useSearchParams();
  const f = filtersFrom(params);
  const names = useNames();
  const set = useParamSetter({ replace: true });
  const now = useMinuteClock();
  const clientErrors = rangeErrors(f);
  const range = rangeOf(f, now);
  const catalogue = useQuery(analyticsQueries.kpis());
  const trends = useQuery({
    ...analyticsQueries.trends({ agentIds: f.agents, kpis: f.kpis, start: range?.start ?? '', end: range?.end ?? '', bucket: f.bucket }),
    enabled: range !== undefined,
    placeholderData: keepPreviousData,
  });
  // One KPI chosen: ask the server for that KPI only; several: ask for all and keep the chosen ones.
  const outliers = useQuery({
    ...analyticsQueries.outliers({ agentIds: f.agents, kpi: f.kpis.length === 1 ? f.kpis[0] : undefined, start: range?.start ?? '', end: range?.end ?? '' }),
    enabled: range !== undefined,
    placeholderData: keepPreviousData,
  });
  useLiveAnalytics(range);
  const staleness = useStaleness('agent');
  const [opener, setOpener] = useState<HTMLElement | null>(null);

  const kpiKey = f.kpis.join(',');
  const agentKey = f.agents.join(',');
  const groups = useMemo(
    () => (trends.data && catalogue.data ? buildCharts(trends.data, kpiKey.split(',') as KpiKey[], catalogue.data.kpis, agentKey ? agentKey.split(',') : [], (id) => names.agent(id) ?? id) : []),
    [trends.data, catalogue.data, kpiKey, agentKey, names],
  );
  const shownOutliers = useMemo(() => (outliers.data?.items ?? []).filter((o) => kpiKey.split(',').includes(o.kpi)), [outliers.data, kpiKey]);

  const server = serverErrors(trends.error, outliers.error);
  const errors: RangeErrors = { start: clientErrors.start ?? server.start, end: clientErrors.end ?? server.end, bucket: clientErrors.bucket ?? server.bucket };
  const rangeInvalid = range === undefined || Boolean(server.start || server.end || server.bucket);

  const openLineage = (ref: string, el: HTMLElement) => {
    setOpener(el);
    set({ lineage: ref });
  };

  const agentOptions = (names.directory?.agents ?? []).map((a) => ({ id: a.id, label: a.name, detail: a.type }));
  const kpiOptions = (catalogue.data?.kpis ?? []).map((k) => ({
    id: k.id,
    label: k.name,
    title: k.definition,
    detail: (
      <>
        {unitLabel(k.unit, k.unit === 'currency' ? 'per currency' : k.unit)} · {directionText(k)}
        <span className="mt-0.5 block">{k.definition}</span>
      </>
    ),
  }));

  return (
    <section data-testid="analytics-page">
      <PageHeader title="Agent analytics">
        {staleness.stale && staleness.kind === 'connection' && (
          <span data-testid="analytics-stale" className="rounded bg-warn-bg px-2 py-0.5 text-xs font-semibold text-warn">
            stale: live updates paused
          </span>
        )}
      </PageHeader>
      <StaleBanner modules={['agent']} />
      <div className="mb-4 flex flex-wrap items-start gap-3" role="search" aria-label="Analytics filters">
        <MultiSelect label="Agents" name="agent" testId="agent-picker" options={agentOptions} value={f.agents} onChange={(v) => set({ agents: v.join(',') || undefined })} noneLabel="every agent with data" />
        <MultiSelect label="KPIs" name="kpi" testId="kpi-picker" options={kpiOptions} value={f.kpis} onChange={(v) => set({ kpis: v.join(',') || undefined })} noneLabel="default KPIs" minOne />
        <RangeControls f={f} errors={errors} set={set} />
      </div>

      {range === undefined ? (
        <Empty>Fix the range to see analytics.</Empty>
      ) : (
        <>
          <p className="mb-3 text-sm text-muted" data-testid="analytics-range" data-start={range.start} data-end={range.end}>
            {formatInstant(range.start)} – {formatInstant(range.end)}, per {f.bucket}
            {trends.data && trends.data.rollup.lagEvents > 0 && (
              <span data-testid="rollup-lag">
                {' '}
                · {trends.data.rollup.lagEvents} newer event{trends.data.rollup.lagEvents === 1 ? '' : 's'} not counted yet
              </span>
            )}
          </p>
          <section aria-labelledby="trends-title" className="mb-6">
            <h2 id="trends-title" className="mb-2 text-base font-semibold">
              KPI trends
            </h2>
            {rangeInvalid ? (
              <Empty>Fix the range to see trends.</Empty>
            ) : trends.isPending || catalogue.isPending ? (
              <Loading what="trends" />
            ) : trends.error ? (
              <ErrorState error={trends.error} onRetry={() => void trends.refetch()} />
            ) : catalogue.error ? (
              <ErrorState error={catalogue.error} onRetry={() => void catalogue.refetch()} />
            ) : (
              <div data-testid="trends-ready" data-fetching={String(trends.isFetching)}>
                {groups.length === 0 || groups.every((g) => g.lines.length === 0) ? (
                  <Empty>
                    <span data-testid="trends-empty">No agent has data for these KPIs in this range: nothing was recorded, which is not the same as zero.</span>
                  </Empty>
                ) : (
                  <TrendCharts groups={groups} onOpen={openLineage} />
                )}
              </div>
            )}
          </section>
          <section aria-labelledby="outliers-title" className="mb-6">
            <h2 id="outliers-title" className="mb-2 text-base font-semibold">
              Outliers
            </h2>
            {rangeInvalid ? null : outliers.isPending || catalogue.isPending ? (
              <Loading what="outliers" />
            ) : outliers.error ? (
              <ErrorState error={outliers.error} onRetry={() => void outliers.refetch()} />
            ) : catalogue.data ? (
              <div data-testid="outliers-ready">
                <OutlierList items={shownOutliers} catalogue={catalogue.data} names={names} onOpen={openLineage} />
              </div>
            ) : null}
          </section>
        </>
      )}
      {f.lineage && catalogue.data && <LineageDrawer key={f.lineage} lineageRef={f.lineage} onClose={() => set({ lineage: undefined })} returnFocus={opener} catalogue={catalogue.data} names={names} />}
    </section>
  );
}
