import type { Status, Workflow } from '../../../contracts/index.js';
import type { Executor } from '../../db/handle.js';
import { costsRepository } from '../costs/index.js';
import { isSessionRun } from './session-runs.js';
import { workflowSessionsRepository } from './workflow-sessions.repository.js';

/**
 * Runs with what their requests cost and the Claude Code sessions that did their work: a run's cost is that of the
 * requests recorded against it and against every session run joined to it (each request is one cost row, so
 * nothing is counted twice). A run with no request known has cost null: unknown, never zero.
 */
export async function withCostAndSessions(db: Executor, runs: readonly Workflow[]): Promise<Workflow[]> {
  if (runs.length === 0) return [];
  const sessionsOf = await workflowSessionsRepository.sessionRunsOf(
    db,
    runs.map((r) => r.id),
  );
  const allIds = [...new Set([...sessionsOf.values()].flat())];
  const totals = await costsRepository.totalsByWorkflow(db, allIds);
  const links = await workflowSessionsRepository.linksOf(db, allIds.filter(isSessionRun));
  return runs.map((run) => {
    const ids = new Set(sessionsOf.get(run.id) ?? [run.id]);
    const rows = totals.filter((t) => ids.has(t.workflowId));
    const byCurrency = new Map<string, number>();
    for (const r of rows) if (r.currency !== null) byCurrency.set(r.currency, (byCurrency.get(r.currency) ?? 0) + r.amount);
    const sum = (k: 'requests' | 'unpriced' | 'input' | 'output' | 'cacheWrite' | 'cacheRead') => rows.reduce((n, r) => n + r[k], 0);
    const sessions = [...ids]
      .map((id) => links.get(id))
      .filter((l) => l !== undefined)
      .map((l) => ({ id: l.session_run_id, startedAt: l.started_at, endedAt: l.ended_at, status: l.status as Status | null }))
      .sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? ''));
    return {
      ...run,
      cost:
        rows.length === 0
          ? null
          : {
              totals: [...byCurrency].map(([currency, amount]) => ({ currency, amount: Math.round(amount * 1e9) / 1e9 })),
              requests: sum('requests'),
              unpriced: sum('unpriced'),
              tokens: { input: sum('input'), output: sum('output'), cacheWrite: sum('cacheWrite'), cacheRead: sum('cacheRead') },
            },
      sessions,
    };
  });
}
