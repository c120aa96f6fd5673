import { isoDayOf, type ProjectBudget } from '../../../../../contracts/index.js';
import type { EvalContext, Finding, RuleKind } from '../rule-kind.js';

const money = (amount: number, currency: string) => `${amount.toLocaleString('en-US', { maximumFractionDigits: 2 })} ${currency}`;

function describe(b: ProjectBudget, project: string): string {
  const spent = money(b.spent ?? 0, b.currency);
  const budget = money(b.amount, b.currency);
  if (b.status === 'exceeded')
    return `${project} exceeded its ${budget} budget for ${b.month}${b.exceededAt ? ` on ${isoDayOf(b.exceededAt)}` : ''}: ${spent} spent (${b.spentPct ?? 0} %).`;
  return `${project} is on course to exceed its ${budget} budget for ${b.month}${b.projectedExceedAt ? ` around ${isoDayOf(b.projectedExceedAt)}` : ''}: ${spent} spent so far (${b.spentPct ?? 0} %).`;
}

async function budgetsOf(ctx: EvalContext, projectId: string | null): Promise<ProjectBudget[]> {
  return ctx.budgets.forScope(projectId ?? undefined);
}

/**
 * A monthly budget at risk (on course to be exceeded before the month ends) or exceeded, from the costs module's
 * budget service: the same figures the Costs page shows. An exceeded budget dates from its crossing; at risk is
 * counted from when the evaluator first saw it. A new month starts on track, which resolves the alert.
 */
export const budgetKind: RuleKind<'budget'> = {
  kind: 'budget',
  async evaluate(ctx, rule) {
    const wanted = rule.condition.level === 'exceeded' ? ['exceeded'] : ['at_risk', 'exceeded'];
    const budgets = (await budgetsOf(ctx, rule.projectId)).filter((b) => wanted.includes(b.status));
    const names = await ctx.projectNames(budgets.map((b) => b.projectId));
    return budgets.map((b): Finding => {
      const project = names.get(b.projectId) ?? b.projectId;
      return {
        subject: { type: 'project', id: b.projectId, name: project },
        projectId: b.projectId,
        since: b.status === 'exceeded' ? b.exceededAt : null,
        message: () => describe(b, project),
      };
    });
  },
  async resolved(ctx, alert) {
    const [b] = await budgetsOf(ctx, alert.subject_id);
    const project = alert.subject_name;
    if (!b) return `${project} no longer has a monthly budget.`;
    if (b.status === 'unknown') return `${project}'s spend for ${b.month} cannot be told now (${b.reason ?? 'no cost source'}), so the budget alert is closed.`;
    return `${project} is within what the rule allows for its ${money(b.amount, b.currency)} budget for ${b.month}: ${money(b.spent ?? 0, b.currency)} spent (${b.spentPct ?? 0} %), ${b.status.replace('_', ' ')}.`;
  },
};
