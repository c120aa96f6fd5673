import type { Selectable } from 'kysely';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import type { ProjectBudgetsTable } from '../../db/schema.js';

export type BudgetRow = Selectable<ProjectBudgetsTable>;

export interface ActiveBudget {
  projectId: string;
  amount: number;
  currency: string;
}

export const budgetsRepository = {
  async rowsByProject(db: Executor, projectIds: readonly string[]): Promise<Map<string, BudgetRow>> {
    const out = new Map<string, BudgetRow>();
    for (const part of chunks(projectIds)) {
      for (const r of await db.selectFrom('project_budgets').selectAll().where('project_id', 'in', part).execute()) out.set(r.project_id, r);
    }
    return out;
  },

  /** Replaces whole rows: the projection already decided which version wins. */
  async upsert(db: Executor, rows: readonly BudgetRow[]): Promise<void> {
    for (const part of chunks(rows)) {
      await db
        .insertInto('project_budgets')
        .values(part)
        .onConflict((oc) =>
          oc.column('project_id').doUpdateSet((eb) => ({
            amount: eb.ref('excluded.amount'),
            currency: eb.ref('excluded.currency'),
            version_at: eb.ref('excluded.version_at'),
            version_key: eb.ref('excluded.version_key'),
          })),
        )
        .execute();
    }
  },

  /** Budgets in force (not cleared), of one project or of all, by project id. */
  async active(db: Executor, projectId?: string): Promise<ActiveBudget[]> {
    let q = db
      .selectFrom('project_budgets')
      .select(['project_id', 'amount', 'currency'])
      .where('amount', 'is not', null)
      .where('currency', 'is not', null)
      .orderBy('project_id');
    if (projectId !== undefined) q = q.where('project_id', '=', projectId);
    const rows = await q.execute();
    return rows.map((r) => ({ projectId: r.project_id, amount: r.amount!, currency: r.currency! }));
  },
};
