import type { AlertKind } from '../../../../contracts/index.js';

/** One message about an alert, as every channel renders it. */
export interface AlertNotice {
  /** fired: it starts; repeated: it still holds (the rule's repeat interval); resolved: it ended; test: the test button. */
  kind: 'fired' | 'repeated' | 'resolved' | 'test';
  alertId: string | null;
  /** kind null: a test message, about no rule. */
  rule: { id: string; name: string; kind: AlertKind | null };
  subject: { type: string; id: string; name: string };
  project: { id: string; name: string } | null;
  state: 'firing' | 'resolved';
  firedAt: string;
  resolvedAt: string | null;
  /** This message's text: the condition now (fired, repeated) or how it ended (resolved). */
  message: string;
}

/** What each kind of rule is about, in a few words (Slack's header line, the webhook's `rule.kindLabel`). */
export const KIND_LABEL: Readonly<Record<AlertKind, string>> = {
  workflow_stuck: 'Workflow blocked or failed',
  needs_human: 'Run needs a person',
  budget: 'Budget',
  consistency: 'Consistency findings',
  source_stale: 'Stale source',
  sync_failures: 'Sync failing',
  freshness_slo: 'Freshness objective',
  stale_sessions: 'Stale sessions',
  lock_contention: 'Write-lock contention',
};

export const kindLabel = (kind: AlertKind | null) => (kind ? KIND_LABEL[kind] : 'Test message');
