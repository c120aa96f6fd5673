import { RunCost } from '../workflows/RunCost.js';
import type { Workflow } from '../../../contracts/index.js';
import { Link } from 'react-router';
import { useNames } from '../../api/use-names.js';
import { formatDuration } from '../../components/duration.js';
import { Empty } from '../../components/states.js';
import { Panel } from '../../components/Panel.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { isAlarming, StatusBadge } from '../../components/StatusBadge.js';

/** When a run started and ended, and how long it took (or has been running). */
function RunTimes({ w }: { w: Workflow }) {
  if (!w.startedAt) return <span>not started</span>;
  const end = w.endedAt ? Date.parse(w.endedAt) : null;
  return (
    <>
      <span>
        started <RelativeTime value={w.startedAt} />
      </span>
      {end !== null ? (
        <>
          <span>
            ended <RelativeTime value={w.endedAt} />
          </span>
          <span data-testid="run-duration">took {formatDuration(end - Date.parse(w.startedAt))}</span>
        </>
      ) : (
        <span data-testid="run-duration">running for {formatDuration(Date.now() - Date.parse(w.startedAt))}</span>
      )}
    </>
  );
}

/** The workflow runs on a story, with who ran them, when they started and ended, and how long they took. */
export function StoryRuns({ workflows, truncated }: { workflows: readonly Workflow[]; truncated: boolean }) {
  const names = useNames();
  return (
    <Panel title="Workflow runs" id="story-workflows" count={workflows.length} truncated={truncated}>
      {workflows.length === 0 ? (
        <Empty>No workflow runs for this story yet.</Empty>
      ) : (
        <ul className="divide-y divide-border text-sm">
          {workflows.map((w) => (
            <li
              key={w.id}
              className={`flex items-start justify-between gap-2 py-1.5 ${isAlarming(w.status) ? 'font-medium' : ''}`}
              data-testid="story-run"
              data-workflow-id={w.id}
            >
              <span className="min-w-0">
                <Link to={`/workflows/${encodeURIComponent(w.id)}`} className="block truncate text-accent hover:underline" title={w.name ?? w.id}>
                  {w.name ?? w.id}
                </Link>
                <span className="flex flex-wrap gap-x-2 text-xs text-muted">
                  <span className="min-w-0 break-words">{names.agent(w.agentId) ?? 'no agent'}</span>
                  <RunTimes w={w} />
                  {w.cost && <RunCost cost={w.cost} />}
                </span>
              </span>
              <StatusBadge status={w.status} />
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
