import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import type { KpiKey } from '../../../contracts/index.js';
import { ApiError } from '../../api/http.js';
import type { Names } from '../../api/use-names.js';
import { rangeErrors, rangeOf, type AnalyticsFilters, type RangeErrors } from './analytics-params.js';
import { analyticsQueries } from './analytics-queries.js';
import { buildCharts } from './chart-model.js';
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

/**
 * What the analytics page shows for its filters: the KPI catalogue, the trends and outliers over the range (kept live),
 * the charts built from them, and the range's errors (the client's rules first, then the server's).
 */
export function useAnalyticsData(f: AnalyticsFilters, names: Names) {
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

  const kpiKey = f.kpis.join(',');
  const agentKey = f.agents.join(',');
  const groups = useMemo(
    () =>
      trends.data && catalogue.data
        ? buildCharts(trends.data, kpiKey.split(',') as KpiKey[], catalogue.data.kpis, agentKey ? agentKey.split(',') : [], (id) => names.agent(id) ?? id)
        : [],
    [trends.data, catalogue.data, kpiKey, agentKey, names],
  );
  const shownOutliers = useMemo(() => (outliers.data?.items ?? []).filter((o) => kpiKey.split(',').includes(o.kpi)), [outliers.data, kpiKey]);

  const server = serverErrors(trends.error, outliers.error);
  const errors: RangeErrors = { start: clientErrors.start ?? server.start, end: clientErrors.end ?? server.end, bucket: clientErrors.bucket ?? server.bucket };
  const rangeInvalid = range === undefined || Boolean(server.start || server.end || server.bucket);
  return { range, catalogue, trends, outliers, groups, shownOutliers, errors, rangeInvalid };
}

export type AnalyticsData = ReturnType<typeof useAnalyticsData>;
