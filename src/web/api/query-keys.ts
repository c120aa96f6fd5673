import type { EventType, StatusWindow } from '../../contracts/index.js';
import type { AuditFilters } from './query-params.js';

/**
 * Every query key of the web app, in one place: the pages read with them, the mutations and the live reducers find
 * cached data by their prefixes.
 */
export const keys = {
  me: ['me'] as const,
  authProviders: ['auth-providers'] as const,
  workspace: ['workspace'] as const,
  directory: ['directory'] as const,
  syncStatus: ['sync-status'] as const,
  workflows: ['workflows'] as const,
  /** Every run's page and its transitions. */
  workflowAll: ['workflow'] as const,
  workflow: (id: string) => ['workflow', id] as const,
  transitions: (id: string) => ['workflow', id, 'transitions'] as const,
  projects: ['projects'] as const,
  /** Every project page. */
  projectContexts: ['project-context'] as const,
  projectContext: (id: string) => ['project-context', id] as const,
  /** Every board. */
  boards: ['kanban'] as const,
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

/** The story page's query (every story page lives under ['story']). */
export const storyKeys = {
  all: ['story'] as const,
  detail: (id: string) => ['story', id] as const,
};

/** Every status query lives under this prefix: a `status_updated` notice re-reads them. */
export const statusKeys = {
  all: ['status'] as const,
  window: (w: StatusWindow) => ['status', w] as const,
};

/** Every analytics query lives under this prefix; the live refresh invalidates trends and outliers by theirs. */
export const analyticsKeys = {
  all: ['analytics'] as const,
  kpis: ['analytics', 'kpis'] as const,
  trends: ['analytics', 'trends'] as const,
  outliers: ['analytics', 'outliers'] as const,
  lineage: ['analytics', 'lineage'] as const,
};

/** Query keys of the alerts feature: the live connection re-reads them when an alert event arrives. */
export const alertsKeys = {
  /** Settings → Alerts (rules, channels, delivery logs). */
  config: ['alerts-config'] as const,
  /** The bell: its count and its list. */
  notifications: ['notifications'] as const,
  unread: ['notifications', 'unread'] as const,
  list: ['notifications', 'list'] as const,
};

/**
 * Settings → Alerts lives under one prefix (alertsKeys.config, which live alert events re-read too): a change re-reads
 * rules and channels together (a rule names channels).
 */
export const alertKeys = {
  all: alertsKeys.config,
  rules: ['alerts-config', 'rules'] as const,
  channels: ['alerts-config', 'channels'] as const,
  deliveries: (channelId: string) => ['alerts-config', 'deliveries', channelId] as const,
};

/** Everything under Settings lives under one prefix: a change re-reads people, keys and the audit log together. */
export const adminKeys = {
  all: ['admin'] as const,
  users: ['admin', 'users'] as const,
  keys: ['admin', 'keys'] as const,
  audit: (f: AuditFilters) => ['admin', 'audit', f] as const,
};

/** Which keys an alert event makes stale: a firing changes the list and the rules' "firing" counts; config the settings. */
export function alertKeysFor(types: readonly EventType[]): readonly (readonly string[])[] {
  const out: (readonly string[])[] = [];
  if (types.some((t) => t === 'alert.fired' || t === 'alert.resolved')) out.push(alertsKeys.notifications, alertsKeys.config);
  else if (types.some((t) => t.startsWith('alert.'))) out.push(alertsKeys.config);
  return out;
}
