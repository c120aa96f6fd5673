import { queryOptions } from '@tanstack/react-query';
import type { z } from 'zod';
import {
  type COST_GROUP_BY,
  costSummarySchema,
  costTimeseriesSchema,
  directorySchema,
  documentPageSchema,
  documentSchema,
  flowResponseSchema,
  flowSourcesResponseSchema,
  integritySchema,
  kanbanBoardSchema,
  meSchema,
  projectContextSchema,
  projectPageSchema,
  syncStatusSchema,
  transitionListSchema,
  workflowPageSchema,
  workflowSchema,
  workspaceInfoSchema,
  type FlowSourcesQuery,
  type Status,
} from '../../contracts/index.js';
import { api, ApiError, queryString } from './http.js';
import { shareBoard } from './share-board.js';

/** Query keys: the live reducers find cached data by these prefixes. */
export const keys = {
  me: ['me'] as const,
  workspace: ['workspace'] as const,
  directory: ['directory'] as const,
  syncStatus: ['sync-status'] as const,
  workflows: ['workflows'] as const,
  workflow: (id: string) => ['workflow', id] as const,
  transitions: (id: string) => ['workflow', id, 'transitions'] as const,
  projects: ['projects'] as const,
  projectContext: (id: string) => ['project-context', id] as const,
  board: (projectId: string) => ['kanban', projectId] as const,
  documents: ['documents'] as const,
  document: (id: string) => ['document', id] as const,
  /** Not under ['document', id]: refreshing a document's metadata must not swap the text someone is reading. */
  documentContent: (id: string) => ['document-content', id] as const,
  integrity: (projectId: string) => ['integrity', projectId] as const,
  /** A project's flow charts (every bucket and zone under it), re-read when one of its stories or epics changes. */
  flow: (projectId: string) => ['flow', projectId] as const,
  /** The transitions behind one point of a flow chart. */
  flowSources: (projectId: string) => ['flow-sources', projectId] as const,
  /** Every cost query (summary and time series) lives under this prefix: a recorded cost re-reads them all. */
  costs: ['costs'] as const,
};

export interface CostSummaryParams {
  window: '24h' | '7d' | '30d' | 'custom';
  start?: string | undefined;
  end?: string | undefined;
  projectId?: string | undefined;
  groupBy: (typeof COST_GROUP_BY)[number];
}

export interface CostTimeseriesParams {
  bucket: 'hour' | 'day';
  start: string;
  end: string;
  projectId?: string | undefined;
  tz: string;
}

export interface WorkflowFilters {
  status: Status[];
  projectId?: string | undefined;
  ownerId?: string | undefined;
  agentId?: string | undefined;
  page: number;
}

export interface ProjectFilters {
  status: Status[];
  ownerId?: string | undefined;
  riskFlag?: boolean | undefined;
  overdue?: boolean | undefined;
  page: number;
}

export interface DocumentFilters {
  projectId?: string | undefined;
  storyId?: string | undefined;
  kind?: string | undefined;
  page: number;
}

export interface FlowParams {
  bucket: 'day' | 'week';
  tz: string;
  /** From the project's first recorded change when absent. */
  start?: string | undefined;
}

export const PAGE_SIZE = 50;

export const queries = {
  me: () => queryOptions({ queryKey: keys.me, queryFn: () => api.get('/auth/me', meSchema), retry: false, staleTime: 60_000 }),
  workspace: () => queryOptions({ queryKey: keys.workspace, queryFn: () => api.get('/meta/workspace', workspaceInfoSchema), staleTime: 300_000 }),
  directory: () => queryOptions({ queryKey: keys.directory, queryFn: () => api.get('/directory', directorySchema), staleTime: 60_000 }),
  syncStatus: () => queryOptions({ queryKey: keys.syncStatus, queryFn: () => api.get('/sync/status', syncStatusSchema) }),
  workflows: (f: WorkflowFilters) =>
    queryOptions({
      queryKey: [...keys.workflows, f] as const,
      queryFn: () =>
        api.get(
          `/workflows${queryString({ status: f.status, projectId: f.projectId, ownerId: f.ownerId, agentId: f.agentId, page: f.page, pageSize: PAGE_SIZE })}`,
          workflowPageSchema,
        ),
    }),
  workflow: (id: string) => queryOptions({ queryKey: keys.workflow(id), queryFn: () => api.get(`/workflows/${encodeURIComponent(id)}`, workflowSchema) }),
  transitions: (id: string) =>
    queryOptions({ queryKey: keys.transitions(id), queryFn: () => api.get(`/workflows/${encodeURIComponent(id)}/transitions?limit=500`, transitionListSchema) }),
  projects: (f: ProjectFilters) =>
    queryOptions({
      queryKey: [...keys.projects, f] as const,
      queryFn: () =>
        api.get(
          `/projects${queryString({
            status: f.status,
            ownerId: f.ownerId,
            riskFlag: f.riskFlag === undefined ? undefined : String(f.riskFlag),
            overdue: f.overdue === undefined ? undefined : String(f.overdue),
            page: f.page,
            pageSize: PAGE_SIZE,
          })}`,
          projectPageSchema,
        ),
    }),
  projectContext: (id: string) => queryOptions({ queryKey: keys.projectContext(id), queryFn: () => api.get(`/projects/${encodeURIComponent(id)}/context`, projectContextSchema) }),
  board: (projectId: string) =>
    queryOptions({
      queryKey: keys.board(projectId),
      queryFn: () => api.get(`/kanban/board${queryString({ projectId })}`, kanbanBoardSchema),
      structuralSharing: shareBoard,
    }),
  documents: (f: DocumentFilters) =>
    queryOptions({
      queryKey: [...keys.documents, f] as const,
      queryFn: () =>
        api.get(`/documents${queryString({ projectId: f.projectId, storyId: f.storyId, kind: f.kind, page: f.page, pageSize: PAGE_SIZE })}`, documentPageSchema),
    }),
  document: (id: string) => queryOptions({ queryKey: keys.document(id), queryFn: () => api.get(`/documents/${encodeURIComponent(id)}`, documentSchema) }),
  integrity: (projectId: string) =>
    queryOptions({ queryKey: keys.integrity(projectId), queryFn: () => api.get(`/projects/${encodeURIComponent(projectId)}/integrity`, integritySchema) }),
  /** Every document of a project (up to 200), to find one by its path. */
  projectDocuments: (projectId: string) =>
    queryOptions({
      queryKey: [...keys.documents, 'project', projectId] as const,
      queryFn: () => api.get(`/documents${queryString({ projectId, pageSize: 200 })}`, documentPageSchema),
      staleTime: 60_000,
    }),
  flow: (projectId: string, q: FlowParams) =>
    queryOptions({
      queryKey: [...keys.flow(projectId), q] as const,
      queryFn: () => api.get(`/projects/${encodeURIComponent(projectId)}/flow${queryString({ bucket: q.bucket, tz: q.tz, start: q.start })}`, flowResponseSchema),
      retry: (n, e) => !(e instanceof ApiError && (e.status === 422 || e.status === 404)) && n < 2,
    }),
  flowSources: (projectId: string, q: FlowSourcesQuery) =>
    queryOptions({
      queryKey: [...keys.flowSources(projectId), q] as const,
      queryFn: () =>
        api.get(`/projects/${encodeURIComponent(projectId)}/flow/sources${queryString({ kind: q.kind, start: q.start, end: q.end, column: q.column, epic: q.epic })}`, flowSourcesResponseSchema),
    }),
  costSummary: (q: CostSummaryParams) =>
    queryOptions({
      queryKey: [...keys.costs, 'summary', q] as const,
      queryFn: () => api.get(`/costs/summary${queryString({ window: q.window, start: q.start, end: q.end, projectId: q.projectId, groupBy: q.groupBy })}`, costSummarySchema),
      retry: (n, e) => !(e instanceof ApiError && e.status === 422) && n < 2,
    }),
  costTimeseries: (q: CostTimeseriesParams) =>
    queryOptions({
      queryKey: [...keys.costs, 'timeseries', q] as const,
      queryFn: () => api.get(`/costs/timeseries${queryString({ bucket: q.bucket, start: q.start, end: q.end, projectId: q.projectId, tz: q.tz })}`, costTimeseriesSchema),
      retry: (n, e) => !(e instanceof ApiError && e.status === 422) && n < 2,
    }),
};

export type ProjectContext = z.infer<typeof projectContextSchema>;
