import type { AlertCondition, AlertKind, SliKey } from '../../../../contracts/index.js';
import type { DatabaseHandle } from '../../../db/handle.js';
import type { BudgetsService } from '../../costs/index.js';
import type { StoredRule } from '../alert-config.repository.js';
import type { AlertRow } from '../alerts.repository.js';

export interface Subject {
  type: 'workflow' | 'project' | 'source' | 'server';
  id: string;
  name: string;
}

/** A subject for which a rule's condition holds now. */
export interface Finding {
  subject: Subject;
  projectId: string | null;
  workflowId?: string | null;
  /** When the condition began, when the data says so; null: counted from when the evaluator first saw it. */
  since: string | null;
  /** The alert's text, given when the condition began (the data's or the evaluator's first sighting). */
  message(since: string): string;
}

/** What a rule kind reads, built once per evaluation pass. */
export interface EvalContext {
  db: DatabaseHandle;
  now: Date;
  budgets: BudgetsService;
  /**
   * The status page's current SLIs (its newest sample), read once per pass through its service; null when it has no
   * sample, or its newest is too old to speak for now.
   */
  serverSlis(): Promise<Readonly<Record<SliKey, number | null>> | null>;
  /** A source is stale after this many expected intervals without success (the sync module's rule). */
  staleAfterIntervals: number;
  /** Project names by id (cached for the pass). */
  projectNames(ids: readonly (string | null)[]): Promise<Map<string, string>>;
}

export type RuleOf<K extends AlertKind> = StoredRule & { condition: Extract<AlertCondition, { kind: K }> };

export interface RuleKind<K extends AlertKind = AlertKind> {
  readonly kind: K;
  /**
   * Every subject whose condition holds now. `open`: subjects firing now — a kind that only starts alerts for recent
   * history (needs_human's lookback) keeps reporting these while they hold.
   */
  evaluate(ctx: EvalContext, rule: RuleOf<K>, open: ReadonlySet<string>): Promise<Finding[]>;
  /** The message an alert closes with once its condition no longer holds (its rule still on). */
  resolved(ctx: EvalContext, alert: AlertRow, rule: RuleOf<K>): Promise<string>;
}
