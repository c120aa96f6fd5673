import type { SliKey } from '../../../../../contracts/index.js';
import type { AlertRow } from '../../alerts.repository.js';
import { ms } from '../alert-text.js';
import type { EvalContext, Finding, RuleKind } from '../rule-kind.js';

const SERVER = { type: 'server' as const, id: 'server', name: 'This server' };
const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;

/**
 * The server-wide kinds read the status page's service (modules/status): the same SLIs its objectives are judged on —
 * 5-minute percentiles of the server's own histograms, the stale-session ratio — held against the rule's threshold
 * (the objective's target unless the manager chose another). No value (no sample lately, nothing measured) starts no
 * alert and closes none: an open alert stays open until a value says it is over.
 */
async function sli(ctx: EvalContext, key: SliKey): Promise<number | null> {
  return (await ctx.serverSlis())?.[key] ?? null;
}

function held(alertOpen: boolean, message: string): Finding[] {
  return alertOpen ? [{ subject: SERVER, projectId: null, since: null, message: () => message }] : [];
}

function ceilingKind<K extends 'freshness_slo' | 'lock_contention'>(
  kind: K,
  key: SliKey,
  text: { breach: (value: string, limit: string) => string; back: (value: string) => string; what: string },
): RuleKind<K> {
  return {
    kind,
    async evaluate(ctx, rule, open) {
      const value = await sli(ctx, key);
      // Both kinds' conditions carry p95Ms; TypeScript cannot narrow the generic Extract<> to see it.
      const limit = (rule.condition as { p95Ms: number }).p95Ms;
      if (value === null)
        return held(open.has(SERVER.id), `${text.what}: no measurement in the last 5 minutes; the alert stays open until one shows it is over.`);
      if (value <= limit) return [];
      return [{ subject: SERVER, projectId: null, since: null, message: () => text.breach(ms(value), ms(limit)) }];
    },
    async resolved(ctx, _alert: AlertRow) {
      const value = await sli(ctx, key);
      return text.back(value === null ? 'no measurement' : ms(value));
    },
  };
}

/** The freshness objective (architecture §10.4): event-to-UI latency p95 over 5 minutes above the threshold. */
export const freshnessSloKind = ceilingKind('freshness_slo', 'event_to_ui_p95_ms', {
  what: 'Event-to-UI latency',
  breach: (v, limit) => `Freshness objective breached: event-to-UI latency p95 is ${v} over the last 5 minutes, above ${limit}.`,
  back: (v) => `Freshness is back within the threshold: event-to-UI latency p95 ${v} over the last 5 minutes.`,
});

/** SQLite write-lock contention: the p95 wait for the write lock over 5 minutes above the threshold. */
export const lockContentionKind = ceilingKind('lock_contention', 'write_lock_wait_p95_ms', {
  what: 'Database write-lock wait',
  breach: (v, limit) => `Database write-lock contention: the p95 wait for the write lock is ${v} over the last 5 minutes, above ${limit}.`,
  back: (v) => `Database write-lock waits are back within the threshold: p95 ${v} over the last 5 minutes.`,
});

/** The share of open sessions showing stale data, with enough sessions open to mean something. */
export const staleSessionsKind: RuleKind<'stale_sessions'> = {
  kind: 'stale_sessions',
  async evaluate(ctx, rule, open) {
    const c = rule.condition;
    const [ratio, sessions] = await Promise.all([sli(ctx, 'stale_session_ratio'), sli(ctx, 'ws_sessions')]);
    if (ratio === null || sessions === null)
      return held(open.has(SERVER.id), 'Stale sessions: no measurement lately; the alert stays open until one shows it is over.');
    if (sessions < c.minSessions || ratio <= c.ratio) return [];
    return [
      {
        subject: SERVER,
        projectId: null,
        since: null,
        message: () => `${pct(ratio)} of the ${sessions} open sessions show stale data (threshold ${pct(c.ratio)}).`,
      },
    ];
  },
  async resolved(ctx) {
    const [ratio, sessions] = await Promise.all([sli(ctx, 'stale_session_ratio'), sli(ctx, 'ws_sessions')]);
    return ratio === null
      ? 'Stale sessions: no session is open any more.'
      : `Stale sessions are back under the threshold: ${pct(ratio)} of ${sessions ?? 0} open sessions.`;
  },
};
