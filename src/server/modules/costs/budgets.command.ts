import { randomUUID } from 'node:crypto';
import type { BudgetBody, ProjectBudget } from '../../../contracts/index.js';
import type { Clock } from '../../clock.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { notFound } from '../../http/errors.js';
import type { AuthService } from '../auth/auth.service.js';
import type { IngestionService } from '../events/ingestion.service.js';
import { UI_SOURCE } from '../stories/story-status.command.js';
import { budgetsRepository } from './budgets.repository.js';
import type { BudgetsService } from './budgets.service.js';

let sequence = 0;

export interface BudgetActor {
  userId: string;
  ip: string | null;
}

/**
 * A person sets or clears a project's monthly budget. Like a Kanban move it enters as an event
 * (project.budget_set, source bmad-ops-ui) through ingestion, so the budget is in the log, every live client hears
 * of it on the cost topic, and it is audited with who did it.
 */
export class SetProjectBudget {
  constructor(
    private readonly db: DatabaseHandle,
    private readonly ingestion: IngestionService,
    private readonly auth: AuthService,
    private readonly clock: Clock,
    private readonly budgets: BudgetsService,
  ) {}

  /** Sets the budget and returns where the project stands against it this month. */
  async set(projectId: string, body: BudgetBody, actor: BudgetActor): Promise<ProjectBudget> {
    await this.requireProject(projectId);
    const eventId = await this.append(projectId, { amount: body.amount, currency: body.currency });
    await this.audited('project.budget_set', projectId, actor, { amount: body.amount, currency: body.currency, eventId });
    const [status] = await this.budgets.forScope(projectId);
    if (!status) throw new Error(`budget of project ${projectId} was set but cannot be read back`);
    return status;
  }

  /** Clears the budget; clearing a project without one is a no-op (nothing is recorded). */
  async clear(projectId: string, actor: BudgetActor): Promise<void> {
    await this.requireProject(projectId);
    if ((await budgetsRepository.active(this.db.read, projectId)).length === 0) return;
    const eventId = await this.append(projectId, { amount: null });
    await this.audited('project.budget_clear', projectId, actor, { eventId });
  }

  private async requireProject(projectId: string): Promise<void> {
    if (!(await budgetsRepository.projectExists(this.db.read, projectId))) throw notFound('project', projectId);
  }

  private async append(projectId: string, payload: { amount: number | null; currency?: string }): Promise<number> {
    // Two changes in the same millisecond tie on occurredAt and are ordered by id: a per-process sequence makes the
    // later request win, the UUID keeps ids unique across restarts.
    const id = `budget-${String(++sequence).padStart(12, '0')}-${randomUUID()}`;
    const result = await this.ingestion.ingest([
      { id, source: UI_SOURCE, type: 'project.budget_set', occurredAt: this.clock.now().toISOString(), entity: { type: 'project', id: projectId }, payload },
    ]);
    const outcome = result.results[0];
    if (outcome?.status !== 'accepted') throw new Error(`budget change was not accepted: ${JSON.stringify(outcome)}`);
    return outcome.eventId;
  }

  private audited(action: string, projectId: string, actor: BudgetActor, details: Record<string, unknown>): Promise<void> {
    return this.auth.audit({ actorType: 'user', actorId: actor.userId, action, targetType: 'project', targetId: projectId, outcome: 'success', ip: actor.ip, details });
  }
}
