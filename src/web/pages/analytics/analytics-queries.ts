import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { kpiCatalogueSchema, lineageResponseSchema, outliersResponseSchema, trendsResponseSchema, type KpiKey } from '../../../contracts/index.js';
import { api, ApiError, queryString } from '../../api/http.js';

/** Every analytics query lives under this prefix; the live refresh invalidates trends and outliers by theirs. */
export const analyticsKeys = {
  all: ['analytics'] as const,
  kpis: ['analytics', 'kpis'] as const,
  trends: ['analytics', 'trends'] as const,
  outliers: ['analytics', 'outliers'] as const,
  lineage: ['analytics', 'lineage'] as const,
};

export interface TrendsParams {
  agentIds: string[];
  kpis: KpiKey[];
  start: string;
  end: string;
  bucket: 'hour' | 'day';
}

export interface OutliersParams {
  agentIds: string[];
  kpi: KpiKey | undefined;
  start: string;
  end: string;
}

export const LINEAGE_PAGE = 50;
const OUTLIER_LIMIT = 500;

// A 422 will not get better by asking again; anything else (a restart, a dropped connection) may.
const retry = (n: number, e: unknown) => !(e instanceof ApiError && (e.status === 422 || e.status === 404)) && n < 2;

export const analyticsQueries = {
  /** The catalogue changes only with a server release. */
  kpis: () => queryOptions({ queryKey: analyticsKeys.kpis, queryFn: () => api.get('/meta/kpis', kpiCatalogueSchema), staleTime: 3_600_000 }),
  trends: (q: TrendsParams) =>
    queryOptions({
      queryKey: [...analyticsKeys.trends, q] as const,
      queryFn: () => api.get(`/analytics/agents/trends${queryString({ agentIds: q.agentIds, kpis: q.kpis, start: q.start, end: q.end, bucket: q.bucket })}`, trendsResponseSchema),
      retry,
    }),
  outliers: (q: OutliersParams) =>
    queryOptions({
      queryKey: [...analyticsKeys.outliers, q] as const,
      queryFn: () => api.get(`/analytics/agents/outliers${queryString({ agentIds: q.agentIds, kpi: q.kpi, start: q.start, end: q.end, limit: OUTLIER_LIMIT })}`, outliersResponseSchema),
      retry,
    }),
  lineage: (ref: string) =>
    infiniteQueryOptions({
      queryKey: [...analyticsKeys.lineage, ref] as const,
      queryFn: ({ pageParam }) =>
        api.get(`/analytics/lineage/${encodeURIComponent(ref)}${queryString({ limit: LINEAGE_PAGE, after: pageParam })}`, lineageResponseSchema),
      initialPageParam: undefined as number | undefined,
      getNextPageParam: (last) => last.nextAfter ?? undefined,
      retry,
    }),
};
