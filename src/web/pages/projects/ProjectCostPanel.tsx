import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { CostSummary } from '../../../contracts/index.js';
import { queries } from '../../api/queries.js';
import { Panel } from '../../components/Panel.js';
import { Empty, ErrorState, Loading } from '../../components/states.js';
import { CostFigures } from '../stories/cost.js';

const GROUPS = [
  { groupBy: 'workflow', title: 'By BMAD workflow', none: 'no BMAD workflow' },
  { groupBy: 'epic', title: 'By epic', none: 'no epic' },
] as const;

/** Largest first; the records naming none last. */
const byAmount = (rows: CostSummary['breakdown']) =>
  [...rows].sort((a, b) => (a.key === null ? 1 : 0) - (b.key === null ? 1 : 0) || (b.totals[0]?.amount ?? -1) - (a.totals[0]?.amount ?? -1));

function Breakdown({ projectId, groupBy, title, none }: { projectId: string; groupBy: 'workflow' | 'epic'; title: string; none: string }) {
  const q = useQuery(queries.costSummary({ window: '30d', projectId, groupBy }));
  return (
    <div className="min-w-0" data-testid={`project-cost-by-${groupBy}`}>
      <h3 className="mb-1 flex items-baseline justify-between gap-2 text-sm font-medium">
        {title}
        <Link
          to={`/costs?window=30d&projectId=${encodeURIComponent(projectId)}&groupBy=${groupBy}`}
          className="text-xs font-normal text-accent hover:underline"
        >
          on the Costs page
        </Link>
      </h3>
      {q.isPending ? (
        <Loading what="costs" />
      ) : q.error ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : q.data.breakdown.length === 0 ? (
        <Empty>No cost recorded in the last 30 days.</Empty>
      ) : (
        <ul className="divide-y divide-border text-sm">
          {byAmount(q.data.breakdown)
            .slice(0, 8)
            .map((row) => (
              <li key={row.key ?? '(none)'} className="flex items-baseline justify-between gap-3 py-1">
                <span className={`min-w-0 truncate ${row.key === null ? 'text-muted' : ''}`} title={row.label ?? row.key ?? none}>
                  {row.key === null ? none : (row.label ?? row.key)}
                </span>
                <span className="shrink-0 text-right">
                  <CostFigures
                    cost={{ availability: row.totals.length > 0 ? 'available' : 'unavailable', totals: row.totals, unpricedEvents: row.unpricedEvents }}
                    showUnpriced={false}
                  />
                </span>
              </li>
            ))}
        </ul>
      )}
    </div>
  );
}

/** What the project's LLM requests cost in the last 30 days, by BMAD workflow and by epic. */
export function ProjectCostPanel({ projectId }: { projectId: string }) {
  return (
    <Panel title="Cost, last 30 days" id="project-cost-breakdown">
      <div className="grid gap-4 sm:grid-cols-2">
        {GROUPS.map((g) => (
          <Breakdown key={g.groupBy} projectId={projectId} groupBy={g.groupBy} title={g.title} none={g.none} />
        ))}
      </div>
    </Panel>
  );
}
