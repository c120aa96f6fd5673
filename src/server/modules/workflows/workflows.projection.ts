import type { Executor } from '../../db/handle.js';
import { isNewer, maxInstant, minInstant, versionOf, type Projection } from '../events/index.js';

const TERMINAL = new Set(['done', 'failed', 'canceled']);
import type { StoredEventOf } from '../events/index.js';
import { isSessionRun, resolveSessionRuns } from './session-runs.js';
import { workflowSessionsRepository } from './workflow-sessions.repository.js';
import { workflowsRepository, type WorkflowRow } from './workflows.repository.js';

type WorkflowEvent = StoredEventOf<'workflow.upserted' | 'workflow.transitioned'>;

/** A workflow known only by id, before any event about it has been folded in. */
export function emptyWorkflowRow(id: string): WorkflowRow {
  return {
    id,
    project_id: null,
    story_id: null,
    name: null,
    owner_id: null,
    agent_id: null,
    attrs_at: null,
    attrs_key: null,
    status: null,
    last_transition_at: null,
    status_key: null,
    updated_at: '',
    started_at: null,
    ended_at: null,
  };
}

/**
 * Folds one event into a workflow row. Attributes come from the newest workflow.upserted, the status from the newest
 * event that states one (upserted or transitioned), so a transition that arrives before its workflow still counts.
 */
export function foldWorkflow(row: WorkflowRow, e: WorkflowEvent): WorkflowRow {
  const v = versionOf(e);
  const next = { ...row };
  if (e.type === 'workflow.upserted') {
    if (isNewer(v, { at: row.attrs_at, key: row.attrs_key })) {
      next.project_id = e.payload.projectId ?? null;
      next.story_id = e.payload.storyId ?? null;
      next.name = e.payload.name;
      next.owner_id = e.payload.ownerId ?? null;
      next.agent_id = e.payload.agentId ?? null;
      next.attrs_at = v.at;
      next.attrs_key = v.key;
    }
  }
  const status = e.type === 'workflow.upserted' ? e.payload.status : e.payload.to;
  if (isNewer(v, { at: row.last_transition_at, key: row.status_key })) {
    next.status = status;
    next.last_transition_at = v.at;
    next.status_key = v.key;
  }
  // A run starts the first time it is seen doing anything (a one-shot run that is reported done starts and ends then).
  if (status !== 'queued' && status !== 'canceled') next.started_at = minInstant(row.started_at, v.at) || null;
  next.ended_at = next.status !== null && TERMINAL.has(next.status) ? next.last_transition_at : null;
  next.updated_at = maxInstant(next.attrs_at, next.last_transition_at);
  return next;
}

/**
 * Workflow rows, folded from their events. Runs made from Claude Code sessions are joined to the run BMAD's files
 * show for the same work (session-runs.ts), so one piece of work is one run whichever way it was seen.
 */
export const workflowsProjection: Projection<'workflow.upserted' | 'workflow.transitioned'> = {
  name: 'workflows',
  handles: ['workflow.upserted', 'workflow.transitioned'],
  async apply(trx: Executor, events) {
    const ids = [...new Set(events.map((e) => e.entityId))];
    const rows = await workflowsRepository.rowsByIds(trx, ids);
    // A session run shown as another run has no row of its own: its state is kept with its link.
    for (const [id, link] of await workflowSessionsRepository.linksOf(trx, ids.filter(isSessionRun)))
      if (!rows.has(id)) rows.set(id, JSON.parse(link.row_json) as WorkflowRow);
    const touched = new Set<string>();
    for (const e of events) {
      rows.set(e.entityId, foldWorkflow(rows.get(e.entityId) ?? emptyWorkflowRow(e.entityId), e));
      touched.add(e.entityId);
    }
    const { write, remove } = await resolveSessionRuns(
      trx,
      [...touched].map((id) => rows.get(id)!),
    );
    await workflowsRepository.upsertRows(trx, write);
    await workflowsRepository.deleteRows(trx, remove);
  },
};

/**
 * Every transition is kept, whatever order it arrived in: the timeline is sorted on read. A transition reported again
 * under the same transition key (seen in the working tree, then in its commit) stays one row, at the earliest time.
 */
export const workflowTransitionsProjection: Projection<'workflow.transitioned'> = {
  name: 'workflow-transitions',
  handles: ['workflow.transitioned'],
  async apply(trx, events) {
    await workflowsRepository.insertTransitions(
      trx,
      events.map((e) => ({
        workflow_id: e.entityId,
        event_id: e.eventId,
        from_status: e.payload.from ?? null,
        to_status: e.payload.to,
        occurred_at_utc: e.occurredAt,
        actor_id: e.payload.actorId ?? null,
        reason: e.payload.reason ?? null,
        transition_key: e.payload.transitionKey ?? null,
        seen_in: e.payload.seenIn ?? null,
        commit_hash: e.payload.commit?.hash ?? null,
        commit_subject: e.payload.commit?.subject ?? null,
      })),
    );
  },
};
