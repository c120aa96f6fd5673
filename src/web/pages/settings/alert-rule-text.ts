import { SERVER_WIDE_KINDS, type AlertCondition, type AlertKind, type AlertRule } from '../../../contracts/index.js';

/** Each kind of rule in a few words, and what it watches. */
export const KIND_TEXT: Readonly<Record<AlertKind, { label: string; hint: string }>> = {
  workflow_stuck: { label: 'Workflow blocked or failed', hint: 'A run stays blocked or failed longer than the delay.' },
  needs_human: { label: 'Run needs a person', hint: 'A run is blocked, or its Claude Code session ended on API errors.' },
  budget: { label: 'Budget at risk or exceeded', hint: 'A project’s monthly budget is on course to be exceeded, or was.' },
  consistency: { label: 'Drift or consistency finding', hint: 'A project’s records disagree, or the consistency check found something.' },
  source_stale: { label: 'Stale source', hint: 'A connected source sends no fresh data (its report failed, or it went quiet).' },
  sync_failures: { label: 'Sync failing', hint: 'A source’s reports keep failing for longer than the delay.' },
  freshness_slo: { label: 'Freshness objective', hint: 'Event-to-screen latency (p95 over 5 minutes) above the threshold.' },
  stale_sessions: { label: 'Stale sessions', hint: 'Too many open dashboards show stale data.' },
  lock_contention: { label: 'Write-lock contention', hint: 'The database write-lock wait (p95 over 5 minutes) above the threshold.' },
};

export const KIND_ORDER: readonly AlertKind[] = [
  'workflow_stuck',
  'needs_human',
  'budget',
  'consistency',
  'source_stale',
  'sync_failures',
  'freshness_slo',
  'stale_sessions',
  'lock_contention',
];

export const isServerWide = (kind: AlertKind) => SERVER_WIDE_KINDS.includes(kind);

export function minutesText(m: number): string {
  if (m === 0) return 'at once';
  if (m < 60) return `${m} min`;
  if (m % (24 * 60) === 0) return `${m / (24 * 60)} d`;
  return m % 60 === 0 ? `${m / 60} h` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** The thresholds of a condition in words ("blocked or failed", "p95 above 3 s"). */
export function conditionText(c: AlertCondition): string {
  switch (c.kind) {
    case 'workflow_stuck':
      return c.statuses.join(' or ');
    case 'needs_human':
      return `sessions of the last ${c.lookbackHours} h`;
    case 'budget':
      return c.level === 'exceeded' ? 'when exceeded' : 'at risk or exceeded';
    case 'consistency':
      return `${c.scope === 'drift' ? 'drift' : 'any finding'}${c.minFindings > 1 ? `, ${c.minFindings} or more` : ''}`;
    case 'source_stale':
    case 'sync_failures':
      return 'any source';
    case 'freshness_slo':
    case 'lock_contention':
      return `p95 above ${c.p95Ms >= 1000 ? `${c.p95Ms / 1000} s` : `${c.p95Ms} ms`}`;
    case 'stale_sessions':
      return `above ${Math.round(c.ratio * 1000) / 10} % of ${c.minSessions}+ sessions`;
  }
}

export function timingText(r: Pick<AlertRule, 'forMinutes' | 'repeatMinutes'>): string {
  const fire = r.forMinutes === 0 ? 'fires at once' : `after ${minutesText(r.forMinutes)}`;
  return r.repeatMinutes === 0 ? `${fire}, once` : `${fire}, again every ${minutesText(r.repeatMinutes)}`;
}
