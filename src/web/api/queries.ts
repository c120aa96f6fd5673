import { queryOptions } from '@tanstack/react-query';
import { API, type EndpointResponse, type FlowSourcesQuery } from '../../contracts/index.js';
import { ApiError, call } from './http.js';
import { keys } from './query-keys.js';
import type { CostSummaryParams, CostTimeseriesParams, DocumentFilters, FlowParams, ProjectFilters, WorkflowFilters } from './query-params.js';
import { shareBoard } from './share-board.js';

export const PAGE_SIZE = 50;

export const queries = {
  me: () => queryOptions({ queryKey: keys.me, queryFn: () => call(API.auth.me), retry: false, staleTime: 60_000 }),
  workspace: () => queryOptions({ queryKey: keys.workspace, queryFn: () => call(API.work.workspace), staleTime: 300_000 }),
  directory: () => queryOptions({ queryKey: keys.directory, queryFn: () => call(API.work.directory), staleTime: 60_000 }),
  syncStatus: () => queryOptions({ queryKey: keys.syncStatus, queryFn: () => call(API.work.syncStatus) }),
  workflows: (f: WorkflowFilters) =>
    queryOptions({
      queryKey: [...keys.workflows, f] as const,
      queryFn: () =>
        call(API.work.workflows, {
          query: { status: f.status, projectId: f.projectId, ownerId: f.ownerId, agentId: f.agentId, page: f.page, pageSize: PAGE_SIZE },
        }),
    }),
  workflow: (id: string) => queryOptions({ queryKey: keys.workflow(id), queryFn: () => call(API.work.workflow, { params: { id } }) }),
  transitions: (id: string) =>
    queryOptions({ queryKey: keys.transitions(id), queryFn: () => call(API.work.transitions, { params: { id }, query: { limit: 500 } }) }),
  projects: (f: ProjectFilters) =>
    queryOptions({
      queryKey: [...keys.projects, f] as const,
      queryFn: () =>
        call(API.work.projects, {
          query: { status: f.status, ownerId: f.ownerId, riskFlag: f.riskFlag, overdue: f.overdue, page: f.page, pageSize: PAGE_SIZE },
        }),
    }),
  projectContext: (id: string) => queryOptions({ queryKey: keys.projectContext(id), queryFn: () => call(API.work.projectContext, { params: { id } }) }),
  board: (projectId: string) =>
    queryOptions({
      queryKey: keys.board(projectId),
      queryFn: () => call(API.work.board, { query: { projectId } }),
      structuralSharing: shareBoard,
    }),
  documents: (f: DocumentFilters) =>
    queryOptions({
      queryKey: [...keys.documents, f] as const,
      queryFn: () => call(API.work.documents, { query: { projectId: f.projectId, storyId: f.storyId, kind: f.kind, page: f.page, pageSize: PAGE_SIZE } }),
    }),
  document: (id: string) => queryOptions({ queryKey: keys.document(id), queryFn: () => call(API.work.document, { params: { id } }) }),
  integrity: (projectId: string) =>
    queryOptions({ queryKey: keys.integrity(projectId), queryFn: () => call(API.work.integrity, { params: { id: projectId } }) }),
  /** Every document of a project (up to 200), to find one by its path. */
  projectDocuments: (projectId: string) =>
    queryOptions({
      queryKey: [...keys.documents, 'project', projectId] as const,
      queryFn: () => call(API.work.documents, { query: { projectId, pageSize: 200 } }),
      staleTime: 60_000,
    }),
  flow: (projectId: string, q: FlowParams) =>
    queryOptions({
      queryKey: [...keys.flow(projectId), q] as const,
      queryFn: () => call(API.work.flow, { params: { id: projectId }, query: { bucket: q.bucket, tz: q.tz, start: q.start } }),
      retry: (n, e) => !(e instanceof ApiError && (e.status === 422 || e.status === 404)) && n < 2,
    }),
  flowSources: (projectId: string, q: FlowSourcesQuery) =>
    queryOptions({
      queryKey: [...keys.flowSources(projectId), q] as const,
      queryFn: () =>
        call(API.work.flowSources, { params: { id: projectId }, query: { kind: q.kind, start: q.start, end: q.end, column: q.column, epic: q.epic } }),
    }),
  costSummary: (q: CostSummaryParams) =>
    queryOptions({
      queryKey: [...keys.costs, 'summary', q] as const,
      queryFn: () => call(API.insight.costSummary, { query: { window: q.window, start: q.start, end: q.end, projectId: q.projectId, groupBy: q.groupBy } }),
      retry: (n, e) => !(e instanceof ApiError && e.status === 422) && n < 2,
    }),
  costTimeseries: (q: CostTimeseriesParams) =>
    queryOptions({
      queryKey: [...keys.costs, 'timeseries', q] as const,
      queryFn: () => call(API.insight.costTimeseries, { query: { bucket: q.bucket, start: q.start, end: q.end, projectId: q.projectId, tz: q.tz } }),
      retry: (n, e) => !(e instanceof ApiError && e.status === 422) && n < 2,
    }),
};

export type ProjectContext = EndpointResponse<typeof API.work.projectContext>;
