import {
  kpiCatalogueSchema,
  lineageParamsSchema,
  lineageQuerySchema,
  lineageResponseSchema,
  outliersQuerySchema,
  outliersResponseSchema,
  trendsQuerySchema,
  trendsResponseSchema,
} from '../analytics.js';
import { consistencyRunSchema, consistencyRunsQuerySchema, consistencyRunsResponseSchema } from '../consistency.js';
import { costSummaryQuerySchema, costSummarySchema, costTimeseriesQuerySchema, costTimeseriesSchema } from '../costs.js';
import { statusQuerySchema, statusResponseSchema } from '../status.js';
import { endpoint } from './endpoint.js';

/** Costs, agent analytics and the product's own health: the numbers, each traceable to its events. */
export const insightEndpoints = {
  costSummary: endpoint({
    method: 'GET',
    path: '/costs/summary',
    access: 'read',
    tag: 'Costs',
    summary: 'Cost in a window, grouped (by agent, model, project, story, workflow), with coverage: unknown is never 0',
    description:
      "Totals per currency (never mixed), breakdown, the previous window for comparison, and `availability` (`unavailable` with a reason, never a made-up 0); token-only costs are priced from the pricing table and record the price version; spend against the project's budget and when the month-to-date burn rate would exceed it.",
    query: costSummaryQuerySchema,
    response: costSummarySchema,
  }),
  costTimeseries: endpoint({
    method: 'GET',
    path: '/costs/timeseries',
    access: 'read',
    tag: 'Costs',
    summary: 'Cost per hour or per day in a time zone',
    description:
      'Buckets in the given time zone (23- and 25-hour days included), each `available` with an amount (0 only while a cost source was reporting) or `unavailable` with a reason.',
    query: costTimeseriesQuerySchema,
    response: costTimeseriesSchema,
  }),
  kpis: endpoint({
    method: 'GET',
    path: '/meta/kpis',
    access: 'read',
    tag: 'Analytics',
    summary: 'The KPI catalogue: definitions, units, directions',
    description: 'Id, name, unit, direction (higher or lower is better), aggregation, definition, source event types; the outlier methods and threshold.',
    response: kpiCatalogueSchema,
  }),
  trends: endpoint({
    method: 'GET',
    path: '/analytics/agents/trends',
    access: 'read',
    tag: 'Analytics',
    summary: 'KPI series per agent',
    description:
      'One series per agent, KPI and unit (money KPIs per currency); a bucket without source events is null, not 0; each value has a `lineageRef`; `rollup` says how far the rollup has read.',
    query: trendsQuerySchema,
    response: trendsResponseSchema,
  }),
  outliers: endpoint({
    method: 'GET',
    path: '/analytics/agents/outliers',
    access: 'read',
    tag: 'Analytics',
    summary: 'Agents far from their peers or their own history (robust z-score)',
    description:
      "Robust z-scores (median and MAD) against the other agents that day (`peer_mad`) and against the agent's previous 14 days (`history_mad`), with the baseline, score, threshold and a sentence saying why.",
    query: outliersQuerySchema,
    response: outliersResponseSchema,
  }),
  lineage: endpoint({
    method: 'GET',
    path: '/analytics/lineage/:lineageRef',
    access: 'read',
    tag: 'Analytics',
    summary: 'The events a number was computed from, paged',
    description:
      'Exactly the events a figure was computed from (`metric:…`), or one event (`event:N`, as carried by WebSocket events), with what each contributed and links to its workflow, story, project and documents; paged.',
    params: lineageParamsSchema,
    query: lineageQuerySchema,
    response: lineageResponseSchema,
  }),
  status: endpoint({
    method: 'GET',
    path: '/status',
    access: 'read',
    tag: 'Operations',
    summary: 'Service levels against their objectives, over 15 minutes or 24 hours',
    description:
      "The newest SLI sample (event→UI p50/p95/p99, ingest and rejections, sessions and reconnects, stale-session ratio, write-lock wait, rollup lag, sync failures), each objective with its state (`met`, `at_risk`, `breached`, `no_data`) and why, freshness per module, the last consistency check, counters since start, and the window's series (10-second slots, or 5-minute buckets for 24 h; an unsampled slot is null).",
    query: statusQuerySchema,
    response: statusResponseSchema,
  }),
  consistencyRuns: endpoint({
    method: 'GET',
    path: '/consistency/runs',
    access: 'read',
    tag: 'Operations',
    summary: "The consistency monitor's recent passes",
    description: 'When, how long, result, the first findings.',
    query: consistencyRunsQuerySchema,
    response: consistencyRunsResponseSchema,
  }),
  verify: endpoint({
    method: 'POST',
    path: '/consistency/verify',
    access: 'manage',
    tag: 'Operations',
    summary: 'Rebuild every read model from the log now and compare (409 while a pass runs)',
    response: consistencyRunSchema,
  }),
};
