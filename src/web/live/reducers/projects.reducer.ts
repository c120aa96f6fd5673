import type { QueryClient } from '@tanstack/react-query';
import type { Page, Project } from '../../../contracts/index.js';
import type { ProjectContext } from '../../api/queries.js';
import { keys } from '../../api/query-keys.js';
import type { ProjectFilters } from '../../api/query-params.js';
import { foldProject, type TypedEvent } from './fold.js';
import type { ReducerContext } from './reducer.js';

function matches(p: Project, f: ProjectFilters): boolean {
  return (
    (f.status.length === 0 || f.status.includes(p.status)) &&
    (!f.ownerId || p.ownerId === f.ownerId) &&
    (f.riskFlag === undefined || p.riskFlag === f.riskFlag) &&
    (f.overdue === undefined || p.overdue === f.overdue)
  );
}

export function applyProjectEvents(qc: QueryClient, events: readonly TypedEvent[], ctx: ReducerContext): void {
  const touched = new Map<string, TypedEvent[]>();
  for (const e of events) if (e.eventType === 'project.upserted') touched.set(e.entityId, [...(touched.get(e.entityId) ?? []), e]);
  if (touched.size === 0) return;
  const fold = (p: Project | undefined, evs: readonly TypedEvent[]) => evs.reduce<Project | undefined>((acc, e) => foldProject(acc, e, ctx.now()), p);

  for (const [queryKey, page] of qc.getQueriesData<Page<Project>>({ queryKey: keys.projects })) {
    if (!page) continue;
    const filters = queryKey[1] as ProjectFilters;
    let membershipChanged = false;
    const items = page.items.map((p) => {
      const evs = touched.get(p.id);
      if (!evs) return p;
      const next = fold(p, evs)!;
      if (!matches(next, filters)) membershipChanged = true;
      return next;
    });
    const present = new Set(page.items.map((p) => p.id));
    for (const [id, evs] of touched) {
      const candidate = present.has(id) ? undefined : fold(undefined, evs);
      if (candidate && matches(candidate, filters)) membershipChanged = true;
    }
    qc.setQueryData(queryKey, { ...page, items });
    if (membershipChanged) ctx.invalidate(queryKey);
  }
  for (const [id, evs] of touched) {
    const context = qc.getQueryData<ProjectContext>(keys.projectContext(id));
    if (context) qc.setQueryData(keys.projectContext(id), { ...context, project: fold(context.project, evs)! });
    // Names in filters and labels come from the directory.
    ctx.invalidate(keys.directory);
  }
  ctx.flash(touched.keys());
}
