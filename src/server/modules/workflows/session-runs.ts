import type { Executor } from '../../db/handle.js';
import type { WorkflowRow } from './workflows.repository.js';
import { workflowSessionsRepository, type SessionLink } from './workflow-sessions.repository.js';

/** Runs made from Claude Code sessions carry this in their id (`bmad:<project>:wf:session:<hash>`). */
export const isSessionRun = (id: string) => id.includes(':wf:session:');

/** Workflow names that are the same work under another name (BMAD 6.11 renamed dev-story to build, …). */
const KIND: Readonly<Record<string, string>> = {
  'dev-story': 'develop',
  build: 'develop',
  develop: 'develop',
  'quick-dev': 'develop',
  'code-review': 'review',
  review: 'review',
};

/** The kind of work a run's name says: its first word, with renamed workflows folded together. */
export function runKind(name: string | null): string {
  const first = (name ?? '').trim().split(/\s+/)[0]!.toLowerCase();
  return KIND[first] ?? first;
}

/** How near a session may be to a run of the same story and kind, before its start or after its end, to be that run. */
const SLACK_MS = 2 * 3600_000;

const ms = (iso: string | null, fallback: number) => (iso ? Date.parse(iso) : fallback);

/**
 * The run BMAD's files show for the work a session did, or null. A story's run: same project, story and kind, and
 * the session within SLACK_MS of the run's time (the nearest when several — a story developed twice); a run with no
 * story (the PRD, the architecture): same project and kind, any time, since a project has one of each.
 */
export function matchRun(
  session: Pick<WorkflowRow, 'project_id' | 'story_id' | 'name' | 'started_at' | 'ended_at'>,
  candidates: readonly WorkflowRow[],
): WorkflowRow | null {
  const kind = runKind(session.name);
  const same = candidates.filter(
    (c) => !isSessionRun(c.id) && c.project_id === session.project_id && c.story_id === session.story_id && runKind(c.name) === kind,
  );
  if (session.story_id === null) return same.length === 1 ? same[0]! : null;
  const s0 = ms(session.started_at, 0);
  const s1 = ms(session.ended_at, Number.POSITIVE_INFINITY);
  let best: { row: WorkflowRow; gap: number } | null = null;
  for (const c of same) {
    const c0 = ms(c.started_at, Number.NEGATIVE_INFINITY);
    const c1 = ms(c.ended_at, Number.POSITIVE_INFINITY);
    const gap = Math.max(0, c0 - s1, s0 - c1);
    if (gap <= SLACK_MS && (!best || gap < best.gap)) best = { row: c, gap };
  }
  return best?.row ?? null;
}

/**
 * Decides, inside the append transaction, which of the touched rows are shown: a session run that matches a run
 * inferred from files is linked to it and its own row is dropped; an inferred run that now matches session runs shown
 * on their own takes them over. Returns the rows to write and the ids of rows to delete.
 */
export async function resolveSessionRuns(trx: Executor, touched: readonly WorkflowRow[]): Promise<{ write: WorkflowRow[]; remove: string[] }> {
  const write: WorkflowRow[] = [];
  const remove: string[] = [];
  const links: SessionLink[] = [];
  // Most batches (a project's history, the API) touch no session run and there is none shown alone to take over:
  // one cheap check spares a query per row.
  const takeovers = await workflowSessionsRepository.anyShownAlone(trx);
  for (const row of touched) {
    if (!isSessionRun(row.id)) {
      write.push(row);
      if (row.project_id === null || !takeovers) continue;
      // Session runs shown on their own that this run now covers (the story moved after the session began).
      const others = (await workflowSessionsRepository.candidates(trx, row.project_id, row.story_id)).filter((c) => c.id !== row.id);
      for (const s of await workflowSessionsRepository.shownAlone(trx, row.project_id, row.story_id)) {
        const session = JSON.parse(s.row_json) as WorkflowRow;
        if (matchRun(session, [...others, row])?.id === row.id) {
          links.push({ ...s, run_id: row.id });
          remove.push(s.session_run_id);
        }
      }
      continue;
    }
    const candidates = row.project_id ? await workflowSessionsRepository.candidates(trx, row.project_id, row.story_id) : [];
    const target = matchRun(row, [...candidates.filter((c) => !write.some((w) => w.id === c.id)), ...write]);
    links.push({
      session_run_id: row.id,
      run_id: target?.id ?? row.id,
      project_id: row.project_id,
      story_id: row.story_id,
      kind: runKind(row.name),
      started_at: row.started_at,
      ended_at: row.ended_at,
      status: row.status,
      row_json: JSON.stringify(row),
    });
    if (target) remove.push(row.id);
    else write.push(row);
  }
  await workflowSessionsRepository.upsert(trx, links);
  return { write, remove };
}
