import { EVENT_TYPES } from '../contracts/index.js';
import { agentsProjection } from './modules/agents/index.js';
import { alertChannelsProjection, alertRulesProjection, alertsProjection } from './modules/alerts/index.js';
import { consistencyProjection } from './modules/consistency/index.js';
import { budgetsProjection, costSourcesProjection, createCostsProjection } from './modules/costs/index.js';
import { documentsProjection } from './modules/documents/index.js';
import { epicsProjection } from './modules/epics/index.js';
import { ProjectionEngine } from './modules/events/index.js';
import { statusTransitionsProjection } from './modules/history/index.js';
import { projectsProjection } from './modules/projects/index.js';
import { storiesProjection } from './modules/stories/index.js';
import { syncProjection } from './modules/sync/index.js';
import { usersProjection } from './modules/users/index.js';
import { workflowsProjection, workflowTransitionsProjection } from './modules/workflows/index.js';
import { loadPricingTable, type PricingTable } from './pricing/pricing-table.js';

/** Every projection, in the order they run inside the append transaction. */
export function createProjectionEngine(pricing: PricingTable = loadPricingTable()): ProjectionEngine {
  return new ProjectionEngine(
    [
      projectsProjection,
      storiesProjection,
      epicsProjection,
      statusTransitionsProjection,
      workflowsProjection,
      workflowTransitionsProjection,
      agentsProjection,
      usersProjection,
      createCostsProjection(pricing),
      budgetsProjection,
      syncProjection,
      costSourcesProjection,
      documentsProjection,
      consistencyProjection,
      alertRulesProjection,
      alertChannelsProjection,
      alertsProjection,
    ],
    EVENT_TYPES,
  );
}
