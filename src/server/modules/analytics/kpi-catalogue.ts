import type { KpiCatalogue, KpiDefinition, KpiKey } from '../../../contracts/index.js';
import type { OutlierSettings } from './outlier-settings.js';

/**
 * The KPI catalogue (frozen definitions, architecture section 10: "freeze KPI catalog and lineage schema").
 * Internal series (stories completed, tokens) are rolled up like KPIs so the per-story KPIs can divide them, but are
 * not offered to clients.
 */
export const KPI_DEFINITIONS: readonly KpiDefinition[] = [
  {
    id: 'workflows_completed',
    name: 'Workflows completed',
    unit: 'count',
    direction: 'higher_is_better',
    aggregation: 'sum',
    definition: 'Workflow runs of the agent that reached done in the window (counted at the event that moved them to done).',
    sourceEvents: ['workflow.upserted', 'workflow.transitioned'],
  },
  {
    id: 'failure_rate',
    name: 'Failure rate',
    unit: 'ratio',
    direction: 'lower_is_better',
    aggregation: 'ratio',
    definition: 'Runs that moved to failed divided by runs that moved to failed or done in the window (a retried run can count twice).',
    sourceEvents: ['workflow.upserted', 'workflow.transitioned'],
  },
  {
    id: 'median_cycle_time',
    name: 'Median cycle time',
    unit: 'hours',
    direction: 'lower_is_better',
    aggregation: 'median',
    definition:
      'Median, over runs that reached done in the window, of the time from the run first entering in_progress to done. Runs never seen in progress are left out.',
    sourceEvents: ['workflow.upserted', 'workflow.transitioned'],
  },
  {
    id: 'time_blocked',
    name: 'Time blocked',
    unit: 'hours',
    direction: 'lower_is_better',
    aggregation: 'sum',
    definition: "Hours the agent's runs spent blocked, counted in the window in which each blocked spell ended.",
    sourceEvents: ['workflow.upserted', 'workflow.transitioned'],
  },
  {
    id: 'rework_rate',
    name: 'Rework rate',
    unit: 'ratio',
    direction: 'lower_is_better',
    aggregation: 'ratio',
    definition:
      'Review outcomes that sent a story back to in-progress, divided by all review outcomes (sent back or done), for stories the agent ran a workflow on.',
    sourceEvents: ['story.upserted', 'story.status_changed'],
  },
  {
    id: 'cost',
    name: 'Cost',
    unit: 'currency',
    direction: 'lower_is_better',
    aggregation: 'sum',
    definition: 'Priced cost records of the agent in the window, per currency (never mixed). Records without an amount are not summed.',
    sourceEvents: ['cost.recorded'],
  },
  {
    id: 'cost_per_completed_story',
    name: 'Cost per completed story',
    unit: 'currency',
    direction: 'lower_is_better',
    aggregation: 'ratio',
    definition: "The agent's cost in the window divided by the stories completed in the window that the agent ran a workflow on; no value when none completed.",
    sourceEvents: ['cost.recorded', 'story.upserted', 'story.status_changed'],
  },
  {
    id: 'tokens_per_completed_story',
    name: 'Tokens per completed story',
    unit: 'tokens',
    direction: 'lower_is_better',
    aggregation: 'ratio',
    definition:
      "Tokens (input, output, cache write and read) of the agent's cost records in the window divided by the stories completed in the window that the agent ran a workflow on.",
    sourceEvents: ['cost.recorded', 'story.upserted', 'story.status_changed'],
  },
];

export const KPI_BY_KEY: ReadonlyMap<KpiKey, KpiDefinition> = new Map(KPI_DEFINITIONS.map((k) => [k.id, k]));

/** Whether a series the rollup keeps is a public KPI (and not an internal series). */
export function isPublicKpi(series: string): series is KpiKey {
  return KPI_BY_KEY.has(series as KpiKey);
}

/** Series the rollup keeps that are inputs of KPIs rather than KPIs. */
export const INTERNAL_SERIES = { storiesCompleted: 'stories_completed', tokens: 'tokens' } as const;

/** Fact-derived series (re-derived per workflow or story) and the unit each is stored under. */
export const FACT_SERIES_UNITS: Readonly<Record<string, string>> = {
  workflows_completed: 'count',
  failure_rate: 'ratio',
  median_cycle_time: 'hours',
  time_blocked: 'hours',
  rework_rate: 'ratio',
  stories_completed: 'count',
};

export function kpiCatalogue(o: OutlierSettings): KpiCatalogue {
  return {
    kpis: [...KPI_DEFINITIONS],
    outliers: {
      methods: [
        { id: 'peer_mad', description: "Modified z-score of the agent's daily value against all agents' values that day (median and MAD)." },
        { id: 'history_mad', description: `Modified z-score of the agent's daily value against its own previous ${o.historyDays} days (median and MAD).` },
      ],
      threshold: o.threshold,
      minPeers: o.minPeers,
      minHistory: o.minHistory,
      historyDays: o.historyDays,
    },
    buckets: ['hour', 'day'],
  };
}
