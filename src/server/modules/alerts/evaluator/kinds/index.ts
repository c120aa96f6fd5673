import type { AlertKind } from '../../../../../contracts/index.js';
import type { RuleKind } from '../rule-kind.js';
import { budgetKind } from './budget-kind.js';
import { consistencyKind } from './consistency-kind.js';
import { freshnessSloKind, lockContentionKind, staleSessionsKind } from './server-kinds.js';
import { sourceStaleKind, syncFailuresKind } from './sync-kinds.js';
import { needsHumanKind, workflowStuckKind } from './workflow-kinds.js';

/** Every kind a rule can be, by name: the record type makes a kind added to the contract without an evaluator a type error. */
export const RULE_KINDS: { readonly [K in AlertKind]: RuleKind<K> } = {
  workflow_stuck: workflowStuckKind,
  needs_human: needsHumanKind,
  budget: budgetKind,
  consistency: consistencyKind,
  source_stale: sourceStaleKind,
  sync_failures: syncFailuresKind,
  freshness_slo: freshnessSloKind,
  stale_sessions: staleSessionsKind,
  lock_contention: lockContentionKind,
};
