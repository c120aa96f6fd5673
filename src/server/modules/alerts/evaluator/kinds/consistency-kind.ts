import { consistencyRepository } from '../../../consistency/index.js';
import { cut } from '../alert-text.js';
import type { Finding, RuleKind } from '../rule-kind.js';

/** Drift: a project's own records disagree about a story or an epic (the connector's findings). */
const DRIFT_KINDS = ['status_drift', 'epic_drift'];

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/**
 * Drift or any consistency finding in a project, from the findings the connector and the consistency monitor
 * report (consistency_findings): one alert per project while it has at least `minFindings`, closed when it has fewer.
 */
export const consistencyKind: RuleKind<'consistency'> = {
  kind: 'consistency',
  async evaluate(ctx, rule) {
    const c = rule.condition;
    const byProject = await consistencyRepository.findingsByProject(ctx.db.read, c.scope === 'drift' ? DRIFT_KINDS : null, rule.projectId);
    const names = await ctx.projectNames([...byProject.keys()]);
    const out: Finding[] = [];
    for (const [projectId, f] of byProject) {
      const total = [...f.byKind.values()].reduce((a, b) => a + b, 0);
      if (total < c.minFindings) continue;
      const project = names.get(projectId) ?? projectId;
      const parts = [...f.byKind.entries()].sort((a, b) => b[1] - a[1]).map(([kind, n]) => `${n} ${kind.replace(/_/g, ' ')}`);
      out.push({
        subject: { type: 'project', id: projectId, name: project },
        projectId,
        since: null,
        message: () =>
          `${project} has ${plural(total, c.scope === 'drift' ? 'drift finding' : 'consistency finding')} (${parts.join(', ')})${f.example ? `, e.g. ${cut(f.example, 300)}` : ''}.`,
      });
    }
    return out;
  },
  async resolved(_ctx, alert) {
    return `${alert.subject_name} has no consistency findings above the rule's threshold any more.`;
  },
};
