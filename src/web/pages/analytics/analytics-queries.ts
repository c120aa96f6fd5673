import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { API } from '../../../contracts/index.js';
import { ApiError, call } from '../../api/http.js';
import { analyticsKeys } from '../../api/query-keys.js';
import type { OutliersParams, TrendsParams } from '../../api/query-params.js';

export const LINEAGE_PAGE = 50;
const OUTLIER_LIMIT = 500;

// A 422 will not get better by asking again; anything else (a restart, a dropped connection) may.
const retry = (n: number, e: unknown) => !(e instanceof ApiError && (e.status === 422 || e.status === 404)) && n < 2;

export const analyticsQueries = {
  /** The catalogue changes only with a server release. */
  kpis: () => queryOptions({ queryKey: analyticsKeys.kpis, queryFn: () => call(API.insight.kpis), staleTime: 3_600_000 }),
  trends: (q: TrendsParams) =>
    queryOptions({
      queryKey: [...analyticsKeys.trends, q] as const,
      queryFn: () => call(API.insight.trends, { query: { agentIds: q.agentIds, kpis: q.kpis, start: q.start, end: q.end, bucket: q.bucket } }),
      retry,
    }),
  outliers: (q: OutliersParams) =>
    queryOptions({
      queryKey: [...analyticsKeys.outliers, q] as const,
      queryFn: () => call(API.insight.outliers, { query: { agentIds: q.agentIds, kpi: q.kpi, start: q.start, end: q.end, limit: OUTLIER_LIMIT } }),
      retry,
    }),
  lineage: (ref: string) =>
    infiniteQueryOptions({
      queryKey: [...analyticsKeys.lineage, ref] as const,
      queryFn: ({ pageParam }) => call(API.insight.lineage, { params: { lineageRef: ref }, query: { limit: LINEAGE_PAGE, after: pageParam } }),
      initialPageParam: undefined as number | undefined,
      getNextPageParam: (last) => last.nextAfter ?? undefined,
      retry,
    }),
};
