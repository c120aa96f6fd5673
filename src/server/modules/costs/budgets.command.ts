import type { BudgetBody, ProjectBudget } from '../../../contracts/index.js';
import type { Clock } from '../../clock.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { notFound } from '../../http/errors.js';
import type { AuthService } from '../auth/index.js';
import type { IngestionService } from '../events/index.js';
import { UiCommand, type UiActor } from '../events/index.js';
import type { projectsRepository } from '../projects/index.js';
import { budgetsRepository } from './budgets.repository.js';
import type { BudgetsService } from './budgets.service.js';

export type BudgetActor = UiActor;

/** Where the command checks that a project exists: handed in, because the projects module reads this one's costs. */
export type ProjectLookup = Pick<typeof projectsRepository, 'exists'>;

/**
 * A person sets or clears a project's monthly budget. Like a Kanban move it enters as an event
 * (project.budget_set, source bmad-ops-ui) through ingestion, so the budget is in the log, every live client hears
 * of it on the cost topic, and it is audited with who did it.
 */
export class SetProjectBudget {
  private readonly ui: UiCommand;

  constructor(
    private readonly db: DatabaseHandle,
    ingestion: IngestionService,
    auth: AuthService,
    clock: Clock,
    private readonly budgets: BudgetsService,
    private readonly projects: ProjectLookup,
  ) {
    this.ui = new UiCommand(ingestion, auth, clock);
  }

  /** Sets the budget and returns where the project stands against it this month. */
  async set(projectId: string, body: BudgetBody, actor: BudgetActor): Promise<ProjectBudget> {
    await this.requireProject(projectId);
    await this.record('project.budget_set', projectId, { amount: body.amount, currency: body.currency }, actor, {
      amount: body.amount,
      currency: body.currency,
    });
    const [status] = await this.budgets.forScope(projectId);
    if (!status) throw new Error(`budget of project ${projectId} was set but cannot be read back`);
    return status;
  }

  /** Clears the budget; clearing a project without one is a no-op (nothing is recorded). */
  async clear(projectId: string, actor: BudgetActor): Promise<void> {
    await this.requireProject(projectId);
    if ((await budgetsRepository.active(this.db.read, projectId)).length === 0) return;
    await this.record('project.budget_clear', projectId, { amount: null }, actor, {});
  }

  private async requireProject(projectId: string): Promise<void> {
    if (!(await this.projects.exists(this.db.read, projectId))) throw notFound('project', projectId);
  }

  /** A budget change is a project.budget_set event (a null amount clears it), audited as the action it was. */
  private record(
    action: string,
    projectId: string,
    payload: { amount: number | null; currency?: string },
    actor: BudgetActor,
    details: Record<string, unknown>,
  ): Promise<number> {
    return this.ui.record({ type: 'project.budget_set', entity: { type: 'project', id: projectId }, payload }, actor, {
      action,
      targetType: 'project',
      targetId: projectId,
      details,
    });
  }
}
