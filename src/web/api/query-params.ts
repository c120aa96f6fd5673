import type { API, EndpointQuery } from '../../contracts/index.js';

/**
 * What the pages pass to their queries, derived from the endpoints' declared queries (never redeclared): the fields a
 * page always sets are required, paging (pageSize, cursors) is the query's business.
 */
type WorkflowsQuery = EndpointQuery<typeof API.work.workflows>;
export type WorkflowFilters = Required<Pick<WorkflowsQuery, 'status' | 'page'>> & Pick<WorkflowsQuery, 'projectId' | 'ownerId' | 'agentId'>;

type ProjectsQuery = EndpointQuery<typeof API.work.projects>;
export type ProjectFilters = Required<Pick<ProjectsQuery, 'status' | 'page'>> & Pick<ProjectsQuery, 'ownerId' | 'riskFlag' | 'overdue'>;

type DocumentsQuery = EndpointQuery<typeof API.work.documents>;
export type DocumentFilters = Required<Pick<DocumentsQuery, 'page'>> & Pick<DocumentsQuery, 'projectId' | 'storyId' | 'kind'>;

type FlowQuery = EndpointQuery<typeof API.work.flow>;
/** `start` absent: from the project's first recorded change. */
export type FlowParams = Required<Pick<FlowQuery, 'bucket' | 'tz'>> & Pick<FlowQuery, 'start'>;

type CostSummaryQuery = EndpointQuery<typeof API.insight.costSummary>;
export type CostSummaryParams = Required<Pick<CostSummaryQuery, 'window' | 'groupBy'>> & Pick<CostSummaryQuery, 'start' | 'end' | 'projectId'>;

type CostTimeseriesQuery = EndpointQuery<typeof API.insight.costTimeseries>;
export type CostTimeseriesParams = Required<Pick<CostTimeseriesQuery, 'bucket' | 'start' | 'end' | 'tz'>> & Pick<CostTimeseriesQuery, 'projectId'>;

type TrendsQuery = EndpointQuery<typeof API.insight.trends>;
export type TrendsParams = Required<Pick<TrendsQuery, 'agentIds' | 'kpis' | 'start' | 'end' | 'bucket'>>;

type OutliersQuery = EndpointQuery<typeof API.insight.outliers>;
export type OutliersParams = Required<Pick<OutliersQuery, 'agentIds' | 'start' | 'end'>> & Pick<OutliersQuery, 'kpi'>;

/** The audit log's filters; `from`/`to` are ISO instants (the page turns the chosen local days into them). */
export type AuditFilters = Omit<EndpointQuery<typeof API.admin.audit>, 'cursor' | 'pageSize'>;
