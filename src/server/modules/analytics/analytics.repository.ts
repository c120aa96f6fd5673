import type { Selectable } from 'kysely';
import type { AgentMetricsTable } from '../../db/schema.js';
import type { EventHeader } from '../events/data.js';
import { agentMetricsRepository } from './agent-metrics.repository.js';
import { rollupStateRepository } from './rollup-state.repository.js';

export type MetricRow = Selectable<AgentMetricsTable>;
export type Granularity = 'hour' | 'day';

export interface MetricKey {
  agentId: string;
  kpi: string;
  unit: string;
  granularity: Granularity;
  windowStart: string;
}

export interface NewMetric extends MetricKey {
  windowEnd: string;
  value: number | null;
  num: number;
  den: number | null;
  lineageRef: string;
}

/** An event as the rollup reads it: its header, without the payload. */
export type RollupEvent = EventHeader;

/**
 * The analytics module's storage: its own tables only (rollup-state.repository.ts: checkpoints and facts;
 * agent-metrics.repository.ts: metrics and outliers). The other modules' data the rollup reads (events, cost rows,
 * status histories, workflow links) comes straight from the owning module's repository, through its index.
 */
export const analyticsRepository = {
  ...rollupStateRepository,
  ...agentMetricsRepository,
};
