import type { Selectable } from 'kysely';
import type { Executor } from '../../db/handle.js';
import type { ConsistencyRunsTable } from '../../db/schema.js';

export type ConsistencyRunResult = 'running' | 'ok' | 'mismatch' | 'error';
export type ConsistencyTrigger = 'schedule' | 'cli' | 'manager' | 'start';

export interface ConsistencyRun {
  id: number;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  trigger: ConsistencyTrigger;
  result: ConsistencyRunResult;
  findings: number;
  throughEventId: number;
  details: Record<string, unknown>;
}

const toRun = (r: Selectable<ConsistencyRunsTable>): ConsistencyRun => ({
  id: Number(r.id),
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  durationMs: r.duration_ms,
  trigger: r.trigger as ConsistencyTrigger,
  result: r.result as ConsistencyRunResult,
  findings: r.findings,
  throughEventId: r.through_event_id,
  details: JSON.parse(r.details_json) as Record<string, unknown>,
});

/** Every pass of the consistency monitor: the status page and alerts read the latest ones. */
export const consistencyRunsRepository = {
  async start(db: Executor, run: { startedAt: string; trigger: ConsistencyTrigger; throughEventId: number }): Promise<number> {
    const r = await db
      .insertInto('consistency_runs')
      .values({ started_at: run.startedAt, trigger: run.trigger, result: 'running', findings: 0, through_event_id: run.throughEventId, details_json: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(r.id);
  },

  async finish(
    db: Executor,
    id: number,
    end: { finishedAt: string; durationMs: number; result: Exclude<ConsistencyRunResult, 'running'>; findings: number; details: Record<string, unknown> },
  ): Promise<void> {
    await db
      .updateTable('consistency_runs')
      .set({ finished_at: end.finishedAt, duration_ms: end.durationMs, result: end.result, findings: end.findings, details_json: JSON.stringify(end.details) })
      .where('id', '=', id)
      .execute();
  },

  /** The newest finished pass, or undefined before the first one. */
  async latest(db: Executor): Promise<ConsistencyRun | undefined> {
    const r = await db.selectFrom('consistency_runs').selectAll().where('result', '!=', 'running').orderBy('id', 'desc').limit(1).executeTakeFirst();
    return r ? toRun(r) : undefined;
  },

  async recent(db: Executor, limit: number): Promise<ConsistencyRun[]> {
    const rows = await db.selectFrom('consistency_runs').selectAll().orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toRun);
  },
};
