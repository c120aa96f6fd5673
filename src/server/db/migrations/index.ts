import { initialSchema } from './001-initial-schema.js';
import { bmadConnector } from './002-bmad-connector.js';
import { costCoverage } from './003-cost-coverage.js';
import { costRollupAndBudgets } from './004-cost-rollup-and-budgets.js';
import { storyCosts } from './005-story-costs.js';
import { agentAnalytics } from './006-agent-analytics.js';
import { history } from './007-history.js';
import { costRequests } from './008-cost-requests.js';
import { otlp } from './009-otlp.js';
import { keySources } from './010-key-sources.js';
import { accounts } from './011-accounts.js';
import { passwordChange } from './012-password-change.js';
import { userIdentities } from './013-user-identities.js';
import { consistencyMonitor } from './014-consistency-monitor.js';
import { sliSamples } from './015-sli-samples.js';
import { alertsSchema } from './016-alerts.js';
import { eventTraces } from './017-event-traces.js';
import { cluster } from './018-cluster.js';
import { costDimensionRollups } from './019-cost-dimension-rollups.js';
import { storyBoardVersions } from './020-story-board-versions.js';
import { workflowsStoryAgentIndex } from './021-workflows-story-agent-index.js';
import { statusHistoryIndex } from './022-status-history-index.js';
import { workflowsProjectOrderIndex } from './023-workflows-project-order-index.js';
import { unreadEventIndexes } from './024-unread-event-indexes.js';
import type { Migration } from './types.js';

/** Forward-only, in order. Never edit a released migration: add the next one. */
export const MIGRATIONS: readonly Migration[] = [
  initialSchema,
  bmadConnector,
  costCoverage,
  costRollupAndBudgets,
  storyCosts,
  agentAnalytics,
  history,
  costRequests,
  otlp,
  keySources,
  accounts,
  passwordChange,
  userIdentities,
  consistencyMonitor,
  sliSamples,
  alertsSchema,
  eventTraces,
  cluster,
  costDimensionRollups,
  storyBoardVersions,
  workflowsStoryAgentIndex,
  statusHistoryIndex,
  workflowsProjectOrderIndex,
  unreadEventIndexes,
];
