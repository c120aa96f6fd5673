import type { Selectable } from 'kysely';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import type { WorkflowSessionsTable } from '../../db/schema.js';
import type { WorkflowRow } from './workflows.repository.js';

export type SessionLink = Selectable<WorkflowSessionsTable>;

export const workflowSessionsRepository = {
  /** Runs not made from sessions, of a project and story (or of no story), that a session run could be. */
  candidates(db: Executor, projectId: string, storyId: string | null): Promise<WorkflowRow[]> {
    let q = db.selectFrom('workflows').selectAll().where('project_id', '=', projectId).where('id', 'not like', '%:wf:session:%');
    q = storyId === null ? q.where('story_id', 'is', null) : q.where('story_id', '=', storyId);
    return q.execute();
  },

  /** Whether any session run is shown as a run of its own (one that a run inferred later could take over). */
  async anyShownAlone(db: Executor): Promise<boolean> {
    return (
      (await db.selectFrom('workflow_sessions').select('session_run_id').whereRef('run_id', '=', 'session_run_id').limit(1).executeTakeFirst()) !== undefined
    );
  },

  /** Session runs of a project and story that are shown as runs of their own. */
  shownAlone(db: Executor, projectId: string, storyId: string | null): Promise<SessionLink[]> {
    let q = db.selectFrom('workflow_sessions').selectAll().where('project_id', '=', projectId).whereRef('run_id', '=', 'session_run_id');
    q = storyId === null ? q.where('story_id', 'is', null) : q.where('story_id', '=', storyId);
    return q.execute();
  },

  async linksOf(db: Executor, sessionRunIds: readonly string[]): Promise<Map<string, SessionLink>> {
    const out = new Map<string, SessionLink>();
    for (const part of chunks(sessionRunIds))
      for (const r of await db.selectFrom('workflow_sessions').selectAll().where('session_run_id', 'in', part).execute()) out.set(r.session_run_id, r);
    return out;
  },

  async upsert(db: Executor, links: readonly SessionLink[]): Promise<void> {
    for (const part of chunks(links)) {
      await db
        .insertInto('workflow_sessions')
        .values(part)
        .onConflict((oc) =>
          oc.column('session_run_id').doUpdateSet((eb) => ({
            run_id: eb.ref('excluded.run_id'),
            project_id: eb.ref('excluded.project_id'),
            story_id: eb.ref('excluded.story_id'),
            kind: eb.ref('excluded.kind'),
            started_at: eb.ref('excluded.started_at'),
            ended_at: eb.ref('excluded.ended_at'),
            status: eb.ref('excluded.status'),
          })),
        )
        .execute();
    }
  },

  /** The session runs shown as each of these runs (a run made from a session is its own). */
  async sessionRunsOf(db: Executor, runIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(runIds.map((id) => [id, [id]]));
    for (const part of chunks(runIds)) {
      for (const r of await db.selectFrom('workflow_sessions').select(['run_id', 'session_run_id']).where('run_id', 'in', part).execute()) {
        const list = out.get(r.run_id)!;
        if (!list.includes(r.session_run_id)) list.push(r.session_run_id);
      }
    }
    return out;
  },

  /**
   * A Claude Code session's run is shown as the run BMAD's files show for the same work when there is one: lineage
   * links to that run, by its name, never to the session run's bare id.
   */
  async shownAs(db: Executor, ids: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const part of chunks(ids)) {
      for (const r of await db.selectFrom('workflow_sessions').select(['session_run_id', 'run_id']).where('session_run_id', 'in', part).execute())
        out.set(r.session_run_id, r.run_id);
    }
    return out;
  },
};
