import type { FlowResponse } from '../../../../contracts/index.js';
import { formatHours } from '../../../components/duration.js';
import { stories } from './flow-format.js';

/** Cycle time over the range as three figures (median, 85th and 95th percentile), or why there is none. */
export function CycleTime({ c }: { c: FlowResponse['cycleTimeHours'] }) {
  if (!c || c.n === 0)
    return (
      <p className="text-sm text-muted" data-testid="cycle-time-none">
        No story reached done in this range, so there is no cycle time yet.
      </p>
    );
  const figures = [
    ['p50', 'Median (p50)', c.p50],
    ['p85', 'p85', c.p85],
    ['p95', 'p95', c.p95],
  ] as const;
  return (
    <div data-testid="cycle-time" data-p50={c.p50} data-p85={c.p85} data-p95={c.p95} data-n={c.n}>
      <p className="mb-1 text-xs text-muted">Cycle time, first in progress → done, over {stories(c.n)}</p>
      <dl className="grid max-w-xl grid-cols-3 gap-2">
        {figures.map(([key, label, hours]) => (
          <div key={key} className="min-w-0 rounded bg-surface-2 px-2 py-1.5">
            <dt className="text-xs text-muted">{label}</dt>
            <dd className="text-lg font-semibold tabular-nums" title={`${hours} hours`}>
              {formatHours(hours)}
            </dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
