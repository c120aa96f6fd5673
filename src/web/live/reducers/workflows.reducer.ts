import type { QueryClient } from '@tanstack/react-query';
import type { Page, StoryDetail, Workflow } from '../../../contracts/index.js';
import { keys, storyKeys } from '../../api/query-keys.js';
import type { WorkflowFilters } from '../../api/query-params.js';
import { foldWorkflow, type TypedEvent } from './fold.js';
import type { ReducerContext } from './reducer.js';

function matches(w: Workflow, f: WorkflowFilters): boolean {
  return (
    (f.status.length === 0 || (w.status !== null && f.status.includes(w.status))) &&
    (!f.projectId || w.projectId === f.projectId) &&
    (!f.ownerId || w.ownerId === f.ownerId) &&
    (!f.agentId || w.agentId === f.agentId)
  );
}

/** Workflow events patch rows in place; a row that joins or leaves a filtered list makes that list re-read. */
export function applyWorkflowEvents(qc: QueryClient, events: readonly TypedEvent[], ctx: ReducerContext): void {
  const touched = new Map<string, TypedEvent[]>();
  for (const e of events) {
    if (e.eventType !== 'workflow.upserted' && e.eventType !== 'workflow.transitioned') continue;
    touched.set(e.entityId, [...(touched.get(e.entityId) ?? []), e]);
    if (e.eventType === 'workflow.transitioned') ctx.invalidate(keys.transitions(e.entityId));
  }
  if (touched.size === 0) return;

  for (const [queryKey, page] of qc.getQueriesData<Page<Workflow>>({ queryKey: keys.workflows })) {
    if (!page) continue;
    const filters = queryKey[1] as WorkflowFilters;
    let changed = false;
    let membershipChanged = false;
    const items = page.items.map((w) => {
      const evs = touched.get(w.id);
      if (!evs) return w;
      const next = evs.reduce<Workflow | undefined>((acc, e) => foldWorkflow(acc, e), w)!;
      changed = true;
      if (!matches(next, filters)) membershipChanged = true;
      return next;
    });
    const present = new Set(page.items.map((w) => w.id));
    for (const [id, evs] of touched) {
      if (present.has(id)) continue;
      const candidate = evs.reduce<Workflow | undefined>((acc, e) => foldWorkflow(acc, e), undefined);
      // A workflow we have never seen may belong on this page: the server decides, after a short coalescing delay.
      if (candidate && (evs.some((e) => e.eventType === 'workflow.upserted') ? matches(candidate, filters) : true)) membershipChanged = true;
    }
    if (changed) qc.setQueryData(queryKey, { ...page, items });
    if (membershipChanged) ctx.invalidate(queryKey);
  }

  // A story page lists the story's runs: patched in place; a run newly naming the story makes the page re-read.
  for (const [queryKey, detail] of qc.getQueriesData<StoryDetail>({ queryKey: storyKeys.all })) {
    if (!detail) continue;
    let changed = false;
    const workflows = detail.workflows.map((w) => {
      const evs = touched.get(w.id);
      if (!evs) return w;
      changed = true;
      return evs.reduce<Workflow | undefined>((acc, e) => foldWorkflow(acc, e), w)!;
    });
    const listed = new Set(detail.workflows.map((w) => w.id));
    const joins = [...touched].some(
      ([id, evs]) => !listed.has(id) && evs.some((e) => e.eventType === 'workflow.upserted' && e.payload.storyId === detail.story.id),
    );
    if (changed) qc.setQueryData(queryKey, { ...detail, workflows });
    if (joins || workflows.some((w) => w.storyId !== detail.story.id)) ctx.invalidate(queryKey);
  }

  for (const [id, evs] of touched) {
    const current = qc.getQueryData<Workflow>(keys.workflow(id));
    if (current)
      qc.setQueryData(
        keys.workflow(id),
        evs.reduce<Workflow | undefined>((acc, e) => foldWorkflow(acc, e), current),
      );
  }
  ctx.flash(touched.keys());
}
