import { syncRepository, type SyncRow } from '../../../sync/index.js';
import type { AlertRow } from '../../alerts.repository.js';
import { cut, duration, utc } from '../alert-text.js';
import type { EvalContext, Finding, RuleKind } from '../rule-kind.js';

/**
 * Sources report per scope (`sync.reported`, entity id): a connected BMAD project as `<project id>:<module>`, its
 * Claude Code transcripts as `<project id>:claude-code:<module>`. A rule of one project watches the scopes under it.
 */
const ofProject = (row: SyncRow, projectId: string | null) => projectId === null || row.id.startsWith(`${projectId}:`);

async function sourceNames(ctx: EvalContext, rows: readonly SyncRow[]): Promise<(row: SyncRow) => { name: string; projectId: string | null }> {
  const candidates = new Set<string>();
  for (const r of rows) {
    const parts = r.id.split(':');
    for (let i = 1; i < parts.length; i++) candidates.add(parts.slice(0, i).join(':'));
  }
  const names = await ctx.projectNames([...candidates]);
  return (row) => {
    // The longest known project id the scope starts with names it: "Streakly · story", "Streakly · claude-code:cost".
    const parts = row.id.split(':');
    for (let i = parts.length - 1; i >= 1; i--) {
      const projectId = parts.slice(0, i).join(':');
      const project = names.get(projectId);
      if (project) return { name: `${project} · ${parts.slice(i).join(':')}`, projectId };
    }
    return { name: row.id, projectId: null };
  };
}

/**
 * The sync module's staleness rule per source (sync.service summarise): stale when its newest report failed, or no
 * success for `staleAfterIntervals` expected intervals. Stale since: the end of that allowance after the last success;
 * for a failing source without an interval, its last success; never succeeded: null (the evaluator's first sighting).
 */
function staleness(row: SyncRow, ctx: EvalContext): { stale: boolean; since: string | null } {
  const lastOk = row.last_successful_sync_at_utc;
  const allowance = row.expected_interval_ms === null ? null : ctx.staleAfterIntervals * row.expected_interval_ms;
  const freshUntil = lastOk === null ? null : allowance === null ? lastOk : new Date(Date.parse(lastOk) + allowance).toISOString();
  if (row.status === 'failed') return { stale: true, since: freshUntil };
  if (allowance === null) return { stale: false, since: null };
  if (lastOk === null) return { stale: true, since: null };
  return { stale: ctx.now.getTime() - Date.parse(lastOk) > allowance, since: freshUntil };
}

async function sourceResolution(ctx: EvalContext, alert: AlertRow, what: string): Promise<string> {
  const row = (await syncRepository.rowsByIds(ctx.db.read, [alert.subject_id])).get(alert.subject_id);
  const last = row?.last_successful_sync_at_utc;
  return `Source “${alert.subject_name}” ${what}${last ? `: last successful report ${utc(last)}` : ''}.`;
}

/** A source stale for longer than the rule's delay. */
export const sourceStaleKind: RuleKind<'source_stale'> = {
  kind: 'source_stale',
  async evaluate(ctx, rule) {
    const rows = (await syncRepository.all(ctx.db.read)).filter((r) => ofProject(r, rule.projectId));
    const label = await sourceNames(ctx, rows);
    const out: Finding[] = [];
    for (const row of rows) {
      const s = staleness(row, ctx);
      if (!s.stale) continue;
      const { name, projectId } = label(row);
      const why =
        row.status === 'failed'
          ? `its last report failed (${cut(row.error_message ?? 'no detail', 300)})`
          : row.last_successful_sync_at_utc === null
            ? 'it has never reported success'
            : `no successful report since ${utc(row.last_successful_sync_at_utc)}${row.expected_interval_ms ? ` (expected every ${duration(row.expected_interval_ms)})` : ''}`;
      out.push({
        subject: { type: 'source', id: row.id, name },
        projectId,
        since: s.since,
        message: (since) => `Source “${name}” has been stale for ${duration(ctx.now.getTime() - Date.parse(since))}: ${why}.`,
      });
    }
    return out;
  },
  resolved: (ctx, alert) => sourceResolution(ctx, alert, 'is fresh again'),
};

/**
 * Sync failures sustained for longer than the rule's delay (architecture §10.4): a source whose newest report failed.
 * When the failing began is not recorded (only the newest report is kept), so it counts from the evaluator's first
 * sighting — after a restart the wait starts again.
 */
export const syncFailuresKind: RuleKind<'sync_failures'> = {
  kind: 'sync_failures',
  async evaluate(ctx, rule) {
    const rows = (await syncRepository.all(ctx.db.read)).filter((r) => r.status === 'failed' && ofProject(r, rule.projectId));
    const label = await sourceNames(ctx, rows);
    return rows.map((row): Finding => {
      const { name, projectId } = label(row);
      return {
        subject: { type: 'source', id: row.id, name },
        projectId,
        since: null,
        message: (since) =>
          `Sync of “${name}” has been failing for ${duration(ctx.now.getTime() - Date.parse(since))}: ${cut(row.error_message ?? 'no detail', 300)}.`,
      };
    });
  },
  resolved: (ctx, alert) => sourceResolution(ctx, alert, 'reports success again'),
};
