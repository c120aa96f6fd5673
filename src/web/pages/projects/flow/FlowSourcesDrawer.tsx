import { useQuery } from '@tanstack/react-query';
import { Fragment } from 'react';
import type { FlowResponse, FlowSourcesQuery } from '../../../../contracts/index.js';
import { queries } from '../../../api/queries.js';
import { Drawer } from '../../../components/Drawer.js';
import { formatHours } from '../../../components/duration.js';
import { StatusChangeItem } from '../../../components/history/StatusChangeItem.js';
import { ErrorState, Loading } from '../../../components/states.js';
import { bucketLong, columnWords, stories } from './flow-format.js';

const CHART: Record<FlowSourcesQuery['kind'], string> = { cfd: 'Cumulative flow', burndown: 'Burndown', throughput: 'Throughput' };

/** What the chart showed at this point, as label and value rows, from the flow on screen (none while it is not loaded). */
function shownValues(flow: FlowResponse | undefined, q: FlowSourcesQuery): [string, string][] {
  if (!flow) return [];
  if (q.kind === 'cfd') {
    const counts = flow.cfd.find((b) => b.start === q.start)?.counts;
    if (!counts) return [];
    return [['Value', stories(q.column ? (counts[q.column] ?? 0) : Object.values(counts).reduce((a, b) => a + b, 0))]];
  }
  if (q.kind === 'burndown') {
    const p = flow.burndown.find((e) => e.epic === q.epic)?.points.find((b) => b.start === q.start);
    return p && p.remaining !== null ? [['Value', `${stories(p.remaining)} not done${p.total !== null ? ` of ${p.total}` : ''}`]] : [];
  }
  const w = flow.throughput.find((b) => b.start === q.start);
  if (!w || w.done === null) return [];
  const c = w.cycleTimeHours;
  return [
    ['Done', stories(w.done)],
    ...(c ? ([['Cycle time', `p50 ${formatHours(c.p50)} · p85 ${formatHours(c.p85)} · p95 ${formatHours(c.p95)}`]] as [string, string][]) : []),
  ];
}

function explain(q: FlowSourcesQuery): string {
  if (q.kind === 'cfd')
    return `Each story's latest status change up to the end of this period${q.column ? `, for the stories then in ${columnWords(q.column)}` : ''}.`;
  if (q.kind === 'burndown')
    return "Each of the epic's stories with its latest status change up to the end of this period; the ones not done are what remains.";
  return 'Each story that reached done in this week: when it first went into progress and when it was done (its cycle time).';
}

/** The transitions behind one point of a flow chart, each with its story, from → to, when, who and its commit. */
export function FlowSourcesDrawer({
  projectId,
  query: q,
  flow,
  onClose,
  returnFocus,
}: {
  projectId: string;
  query: FlowSourcesQuery;
  flow: FlowResponse | undefined;
  onClose: () => void;
  returnFocus: HTMLElement | null;
}) {
  const sources = useQuery(queries.flowSources(projectId, q));
  const tz = flow?.tz ?? 'UTC';
  const values = shownValues(flow, q);
  return (
    <Drawer title="Where this point comes from" onClose={onClose} returnFocus={returnFocus} testId="flow-sources-drawer">
      <dl
        className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-1 text-sm"
        data-testid="flow-sources-point"
        data-kind={q.kind}
        data-start={q.start}
        data-end={q.end}
        data-column={q.column ?? ''}
        data-epic={q.epic ?? ''}
      >
        <dt className="text-muted">Chart</dt>
        <dd>{CHART[q.kind]}</dd>
        <dt className="text-muted">Period</dt>
        <dd className="min-w-0 break-words">{bucketLong(Date.parse(q.start), q.kind === 'throughput' ? 'week' : (flow?.bucket ?? 'day'), tz)}</dd>
        {q.column && (
          <>
            <dt className="text-muted">Column</dt>
            <dd className="min-w-0 break-words">{columnWords(q.column)}</dd>
          </>
        )}
        {q.epic && (
          <>
            <dt className="text-muted">Epic</dt>
            <dd className="min-w-0 break-words">{q.epic}</dd>
          </>
        )}
        {values.map(([label, value]) => (
          <Fragment key={label}>
            <dt className="text-muted">{label}</dt>
            <dd className="min-w-0 break-words font-semibold" data-testid="flow-sources-value">
              {value}
            </dd>
          </Fragment>
        ))}
      </dl>
      <p className="text-xs text-muted">{explain(q)}</p>
      {sources.isPending ? (
        <Loading what="the sources" />
      ) : sources.error ? (
        <ErrorState error={sources.error} onRetry={() => void sources.refetch()} />
      ) : (
        <section aria-labelledby="flow-sources-list-title">
          <h3 id="flow-sources-list-title" className="mb-1 text-sm font-semibold">
            Status changes{' '}
            <span className="font-normal text-muted" data-testid="flow-sources-total" data-total={sources.data.total}>
              ({sources.data.items.length < sources.data.total ? `first ${sources.data.items.length} of ${sources.data.total}` : sources.data.total})
            </span>
          </h3>
          {sources.data.items.length === 0 ? (
            <p className="text-sm text-muted">No status change is behind this point.</p>
          ) : (
            <ul data-testid="flow-sources">
              {sources.data.items.map((c) => (
                <StatusChangeItem key={`${c.transitionKey}:${c.eventId}`} change={c} story={{ id: c.storyId, title: c.storyTitle }} />
              ))}
            </ul>
          )}
        </section>
      )}
    </Drawer>
  );
}
