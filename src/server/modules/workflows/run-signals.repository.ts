import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';

export interface RunSignal {
  id: string;
  name: string | null;
  projectId: string | null;
  status: string | null;
  lastTransitionAt: string | null;
}

export interface SessionSignal {
  sessionRunId: string;
  runId: string;
  projectId: string | null;
  startedAt: string | null;
  endedAt: string | null;
  status: string | null;
}

/** Runs, transitions and sessions in the few shapes the alert evaluator watches (the alerts module reads; never writes). */
export const runSignalsRepository = {
  /** Runs whose current status is one of these, of one project or all. */
  async runsWithStatus(db: Executor, statuses: readonly string[], projectId: string | null): Promise<RunSignal[]> {
    let q = db.selectFrom('workflows').select(['id', 'name', 'project_id', 'status', 'last_transition_at']).where('status', 'in', statuses);
    if (projectId !== null) q = q.where('project_id', '=', projectId);
    const rows = await q.orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, projectId: r.project_id, status: r.status, lastTransitionAt: r.last_transition_at }));
  },

  async runsByIds(db: Executor, ids: readonly string[]): Promise<Map<string, RunSignal>> {
    const out = new Map<string, RunSignal>();
    for (const part of chunks(ids)) {
      for (const r of await db.selectFrom('workflows').select(['id', 'name', 'project_id', 'status', 'last_transition_at']).where('id', 'in', part).execute()) {
        out.set(r.id, { id: r.id, name: r.name, projectId: r.project_id, status: r.status, lastTransitionAt: r.last_transition_at });
      }
    }
    return out;
  },

  /** The reason given with each run's newest transition, when one was given ("the session ended on API errors"). */
  async lastReasons(db: Executor, runIds: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const part of chunks(runIds)) {
      const rows = await db
        .selectFrom('workflow_transitions as t')
        .select(['t.workflow_id', 't.reason'])
        .where('t.workflow_id', 'in', part)
        .where('t.occurred_at_utc', '=', (eb) =>
          eb
            .selectFrom('workflow_transitions as u')
            .select((e) => e.fn.max('u.occurred_at_utc').as('m'))
            .whereRef('u.workflow_id', '=', 't.workflow_id'),
        )
        .execute();
      for (const r of rows) if (r.reason) out.set(r.workflow_id, r.reason);
    }
    return out;
  },

  /** Claude Code sessions that ended on errors since `since` (and those of the given runs, whenever they ended). */
  async failedSessions(db: Executor, since: string, projectId: string | null, alsoRuns: readonly string[]): Promise<SessionSignal[]> {
    let q = db
      .selectFrom('workflow_sessions')
      .select(['session_run_id', 'run_id', 'project_id', 'started_at', 'ended_at', 'status'])
      .where('status', '=', 'failed')
      .where((eb) => (alsoRuns.length > 0 ? eb.or([eb('ended_at', '>=', since), eb('run_id', 'in', alsoRuns)]) : eb('ended_at', '>=', since)));
    if (projectId !== null) q = q.where('project_id', '=', projectId);
    const rows = await q.execute();
    return rows.map((r) => ({
      sessionRunId: r.session_run_id,
      runId: r.run_id,
      projectId: r.project_id,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      status: r.status,
    }));
  },

  /** Every session of these runs: a run whose newest session ended on errors still needs a person. */
  async sessionsOfRuns(db: Executor, runIds: readonly string[]): Promise<SessionSignal[]> {
    const out: SessionSignal[] = [];
    for (const part of chunks(runIds)) {
      const rows = await db
        .selectFrom('workflow_sessions')
        .select(['session_run_id', 'run_id', 'project_id', 'started_at', 'ended_at', 'status'])
        .where('run_id', 'in', part)
        .execute();
      for (const r of rows)
        out.push({ sessionRunId: r.session_run_id, runId: r.run_id, projectId: r.project_id, startedAt: r.started_at, endedAt: r.ended_at, status: r.status });
    }
    return out;
  },
};
