import { runSignalsRepository, type RunSignal, type SessionSignal } from '../../../workflows/index.js';
import type { AlertRow } from '../../alerts.repository.js';
import { duration, runLabel, statusWord, utc } from '../alert-text.js';
import type { EvalContext, Finding, RuleKind } from '../rule-kind.js';

const runName = (r: RunSignal) => r.name ?? r.id;
const subjectOf = (r: RunSignal) => ({ type: 'workflow' as const, id: r.id, name: runName(r) });

/** What a run is now, for the message an alert about it closes with. */
async function runResolution(ctx: EvalContext, alert: AlertRow, what: string): Promise<string> {
  const run = (await runSignalsRepository.runsByIds(ctx.db.read, [alert.subject_id])).get(alert.subject_id);
  const names = await ctx.projectNames([alert.project_id]);
  const label = runLabel(alert.subject_name, alert.project_id ? (names.get(alert.project_id) ?? null) : null);
  const open = duration(ctx.now.getTime() - Date.parse(alert.fired_at));
  if (!run) return `${label} no longer exists; the alert was open ${open}.`;
  return `${label} ${what}: it is ${statusWord(run.status)} now (the alert was open ${open}).`;
}

/** A run blocked or failed (as chosen) for longer than the rule's delay: since its last transition. */
export const workflowStuckKind: RuleKind<'workflow_stuck'> = {
  kind: 'workflow_stuck',
  async evaluate(ctx, rule) {
    const runs = await runSignalsRepository.runsWithStatus(ctx.db.read, rule.condition.statuses, rule.projectId);
    const [names, reasons] = await Promise.all([
      ctx.projectNames(runs.map((r) => r.projectId)),
      runSignalsRepository.lastReasons(
        ctx.db.read,
        runs.map((r) => r.id),
      ),
    ]);
    return runs.map((r): Finding => {
      const label = runLabel(runName(r), r.projectId ? (names.get(r.projectId) ?? null) : null);
      const reason = reasons.get(r.id);
      return {
        subject: subjectOf(r),
        projectId: r.projectId,
        workflowId: r.id,
        since: r.lastTransitionAt,
        message: (since) => {
          const d = duration(ctx.now.getTime() - Date.parse(since));
          return `${label} ${r.status === 'failed' ? `has stayed failed for ${d}` : `has been ${statusWord(r.status)} for ${d}`}${reason ? ` (${reason})` : ''}.`;
        },
      };
    });
  },
  resolved: (ctx, alert) => runResolution(ctx, alert, 'is moving again'),
};

const TERMINAL = new Set(['done', 'canceled']);
const newest = (sessions: readonly SessionSignal[]) =>
  [...sessions]
    .sort((a, b) => (a.startedAt ?? a.endedAt ?? '').localeCompare(b.startedAt ?? b.endedAt ?? '') || a.sessionRunId.localeCompare(b.sessionRunId))
    .at(-1);

/**
 * A run that needs a person: blocked (at once), or whose newest Claude Code session ended on API errors (and no
 * later session took over, and the run is not finished). Sessions that ended before the lookback start nothing, so
 * a new rule does not page for last month; an alert already open stays until its run moves on.
 */
export const needsHumanKind: RuleKind<'needs_human'> = {
  kind: 'needs_human',
  async evaluate(ctx, rule, open) {
    const db = ctx.db.read;
    const blocked = await runSignalsRepository.runsWithStatus(db, ['blocked'], rule.projectId);
    const since = new Date(ctx.now.getTime() - rule.condition.lookbackHours * 3600_000).toISOString();
    const failed = await runSignalsRepository.failedSessions(db, since, rule.projectId, [...open]);
    const candidates = [...new Set(failed.map((s) => s.runId))].filter((id) => !blocked.some((b) => b.id === id));
    const [runs, sessions] = await Promise.all([runSignalsRepository.runsByIds(db, candidates), runSignalsRepository.sessionsOfRuns(db, candidates)]);
    const names = await ctx.projectNames([...blocked.map((r) => r.projectId), ...[...runs.values()].map((r) => r.projectId)]);
    const label = (r: RunSignal) => runLabel(runName(r), r.projectId ? (names.get(r.projectId) ?? null) : null);
    const out: Finding[] = blocked.map((r) => ({
      subject: subjectOf(r),
      projectId: r.projectId,
      workflowId: r.id,
      since: r.lastTransitionAt,
      message: () => `${label(r)} is blocked and needs a person.`,
    }));
    for (const runId of candidates) {
      const run = runs.get(runId);
      const last = newest(sessions.filter((s) => s.runId === runId));
      if (!run || !last || last.status !== 'failed' || TERMINAL.has(run.status ?? '')) continue;
      out.push({
        subject: subjectOf(run),
        projectId: run.projectId,
        workflowId: run.id,
        since: last.endedAt,
        message: () =>
          `The Claude Code session of ${label(run)} ended on API errors${last.endedAt ? ` at ${utc(last.endedAt)}` : ''}; nothing has picked the work up since.`,
      });
    }
    return out;
  },
  resolved: (ctx, alert) => runResolution(ctx, alert, 'no longer needs a person'),
};
