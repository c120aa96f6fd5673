import type { Names } from '../../api/use-names.js';
import { Empty, ErrorState, Loading } from '../../components/states.js';
import type { AnalyticsFilters, RangeErrors } from './analytics-params.js';
import { directionText, formatInstant, unitLabel } from './format.js';
import { MultiSelect } from './MultiSelect.js';
import { OutlierList } from './OutlierList.js';
import { RangeControls } from './RangeControls.js';
import { TrendCharts, type OpenLineage } from './TrendCharts.js';
import type { AnalyticsData } from './use-analytics-data.js';

type SetParams = (patch: Record<string, string | undefined>) => void;

/** The pickers above the charts: agents, KPIs and the range. */
export function AnalyticsFilterBar({
  f,
  names,
  catalogue,
  errors,
  set,
}: {
  f: AnalyticsFilters;
  names: Names;
  catalogue: AnalyticsData['catalogue'];
  errors: RangeErrors;
  set: SetParams;
}) {
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
    <div className="mb-4 flex flex-wrap items-start gap-3" role="search" aria-label="Analytics filters">
      <MultiSelect
        label="Agents"
        name="agent"
        testId="agent-picker"
        options={agentOptions}
        value={f.agents}
        onChange={(v) => set({ agents: v.join(',') || undefined })}
        noneLabel="every agent with data"
      />
      <MultiSelect
        label="KPIs"
        name="kpi"
        testId="kpi-picker"
        options={kpiOptions}
        value={f.kpis}
        onChange={(v) => set({ kpis: v.join(',') || undefined })}
        noneLabel="default KPIs"
        minOne
      />
      <RangeControls f={f} errors={errors} set={set} />
    </div>
  );
}

/** The range the charts cover, and how many newer events the rollup has not counted yet. */
export function RangeLine({
  range,
  bucket,
  trends,
}: {
  range: NonNullable<AnalyticsData['range']>;
  bucket: AnalyticsFilters['bucket'];
  trends: AnalyticsData['trends'];
}) {
  return (
    <p className="mb-3 text-sm text-muted" data-testid="analytics-range" data-start={range.start} data-end={range.end}>
      {formatInstant(range.start)} – {formatInstant(range.end)}, per {bucket}
      {trends.data && trends.data.rollup.lagEvents > 0 && (
        <span data-testid="rollup-lag">
          {' '}
          · {trends.data.rollup.lagEvents} newer event{trends.data.rollup.lagEvents === 1 ? '' : 's'} not counted yet
        </span>
      )}
    </p>
  );
}

/** The KPI trend charts, or why there are none. */
export function TrendsSection({ data, onOpen }: { data: AnalyticsData; onOpen: OpenLineage }) {
  const { rangeInvalid, trends, catalogue, groups } = data;
  return (
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
            <TrendCharts groups={groups} onOpen={onOpen} />
          )}
        </div>
      )}
    </section>
  );
}

/** The outliers over the range, for the chosen KPIs. */
export function OutliersSection({ data, names, onOpen }: { data: AnalyticsData; names: Names; onOpen: OpenLineage }) {
  const { rangeInvalid, outliers, catalogue, shownOutliers } = data;
  return (
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
          <OutlierList items={shownOutliers} catalogue={catalogue.data} names={names} onOpen={onOpen} />
        </div>
      ) : null}
    </section>
  );
}
