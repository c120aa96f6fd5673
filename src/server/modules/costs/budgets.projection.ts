import { isNewer, versionOf, type Projection } from '../events/index.js';
import { budgetsRepository, type BudgetRow } from './budgets.repository.js';

/**
 * project_budgets: the newest project.budget_set per project wins (occurredAt, then source and id), whatever order
 * the events arrive in. A clear (amount null) is kept as a row, so an older set arriving after it cannot win.
 */
export const budgetsProjection: Projection<'project.budget_set'> = {
  name: 'project-budgets',
  handles: ['project.budget_set'],
  async apply(trx, events) {
    const rows = await budgetsRepository.rowsByProject(trx, [...new Set(events.map((e) => e.entityId))]);
    const touched = new Map<string, BudgetRow>();
    for (const e of events) {
      const v = versionOf(e);
      const current = touched.get(e.entityId) ?? rows.get(e.entityId);
      if (current && !isNewer(v, { at: current.version_at, key: current.version_key })) continue;
      touched.set(e.entityId, {
        project_id: e.entityId,
        amount: e.payload.amount,
        currency: e.payload.amount === null ? null : (e.payload.currency ?? null),
        version_at: v.at,
        version_key: v.key,
      });
    }
    await budgetsRepository.upsert(trx, [...touched.values()]);
  },
};
