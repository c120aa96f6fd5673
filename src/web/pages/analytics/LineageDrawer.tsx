import { useInfiniteQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import type { KpiCatalogue, LineageEvent, LineageResponse } from '../../../contracts/index.js';
import type { Names } from '../../api/use-names.js';
import { Drawer } from '../../components/Drawer.js';
import { ErrorState, Loading } from '../../components/states.js';
import { analyticsQueries } from './analytics-queries.js';
import { formatInstant, formatValue, formatWindow } from './format.js';

const EVENT_LABEL: Record<string, string> = {
  'workflow.upserted': 'Workflow',
  'workflow.transitioned': 'Transition',
  'cost.recorded': 'Cost',
  'cost.usage_reported': 'Cost metric',
  'story.upserted': 'Story',
  'story.status_changed': 'Story status',
  'agent.upserted': 'Agent',
};

function MetricHeader({ data, catalogue, names }: { data: LineageResponse; catalogue: KpiCatalogue; names: Names }) {
  const m = data.metric;
  if (!m) return <p className="text-sm text-muted">Sources of one event.</p>;
  const def = catalogue.kpis.find((k) => k.id === m.kpi);
  return (
    <dl
      className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-1 text-sm"
      data-testid="lineage-metric"
      data-kpi={m.kpi}
      data-agent={m.agentId}
      data-value={m.value ?? ''}
      data-total={data.total}
    >
      <dt className="text-muted">Agent</dt>
      <dd className="min-w-0 break-words font-medium">{names.agent(m.agentId)}</dd>
      <dt className="text-muted">KPI</dt>
      <dd className="min-w-0 break-words">{def?.name ?? m.kpi}</dd>
      <dt className="text-muted">Value</dt>
      <dd data-testid="lineage-value" className="font-semibold">
        {m.value === null ? 'no data' : formatValue(m.value, def?.unit, m.unit)}
      </dd>
      <dt className="text-muted">Window</dt>
      <dd className="min-w-0 break-words">{formatWindow(m.windowStart, m.windowEnd)}</dd>
      <dt className="text-muted">Events</dt>
      <dd data-testid="lineage-total">
        {data.total} source event{data.total === 1 ? '' : 's'}
      </dd>
    </dl>
  );
}

function EventItem({ e, unitOf }: { e: LineageEvent; unitOf: (v: number) => string }) {
  return (
    <li
      tabIndex={-1}
      className="border-b border-border py-2 outline-none last:border-b-0 focus-visible:outline-2"
      data-testid="lineage-event"
      data-event-id={e.eventId}
      data-type={e.type}
    >
      <div className="flex flex-wrap items-baseline justify-between gap-x-3">
        <span className="text-sm font-medium">{EVENT_LABEL[e.type] ?? e.type}</span>
        <time dateTime={e.occurredAt} className="text-xs text-muted">
          {formatInstant(e.occurredAt)}
        </time>
      </div>
      <p className="break-words text-sm">{e.summary}</p>
      <p className="break-words text-xs text-muted" data-testid="lineage-sender">
        from {e.source}
        {e.sentBy ? `, sent with ${e.sentByName ?? (e.sentBy.startsWith('key:') ? 'an API key no longer on record' : 'a signed-in account')}` : ''}
        {e.traceId && (
          <>
            {' · trace '}
            <code className="break-all" data-testid="lineage-trace" title="Look this trace id up in your tracing backend">
              {e.traceId}
            </code>
          </>
        )}
      </p>
      {e.contribution !== null && (
        <p className="text-xs text-muted" data-testid="lineage-contribution">
          contributes {unitOf(e.contribution)}
        </p>
      )}
      {e.links.length > 0 && (
        <ul className="mt-1 flex flex-wrap gap-x-3 gap-y-1 text-sm" aria-label="Open">
          {e.links.map((l) => (
            <li key={`${l.kind}:${l.id}`}>
              <Link to={l.href} className="text-accent underline" data-testid="lineage-link" data-kind={l.kind}>
                {/* The server's labels often name the kind already ("Workflow w-1"): say it once. */}
                {l.label.toLowerCase().startsWith(l.kind) ? l.label : `${l.kind}: ${l.label}`}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

/** The sources behind one figure, in the shared modal drawer (focus kept inside, Esc closes, focus returns). */
export function LineageDrawer({
  lineageRef,
  onClose,
  returnFocus,
  catalogue,
  names,
}: {
  lineageRef: string;
  onClose: () => void;
  returnFocus: HTMLElement | null;
  catalogue: KpiCatalogue;
  names: Names;
}) {
  const list = useRef<HTMLUListElement>(null);
  const q = useInfiniteQuery(analyticsQueries.lineage(lineageRef));
  // "Load more" disappears on the last page: focus moves to the first new event instead of falling out of the dialog.
  // It is focused once React has committed the new page (an effect), not after a guessed frame.
  const focusIndex = useRef<number | null>(null);
  const loadMore = () => {
    focusIndex.current = list.current?.children.length ?? 0;
    void q.fetchNextPage();
  };
  const pages = q.data?.pages ?? [];
  const head = pages[0];
  const events = pages.flatMap((p) => p.events);
  const pruned = pages.reduce((n, p) => n + p.prunedEvents, 0);
  useEffect(() => {
    const i = focusIndex.current;
    const el = i === null ? undefined : (list.current?.children[i] as HTMLElement | undefined);
    if (el) {
      focusIndex.current = null;
      el.focus();
    }
  }, [events.length]);
  const def = head?.metric ? catalogue.kpis.find((k) => k.id === head.metric!.kpi) : undefined;
  const unitOf = (v: number) => (head?.metric ? formatValue(v, def?.unit, head.metric.unit) : String(v));
  return (
    <Drawer title="Where this figure comes from" onClose={onClose} returnFocus={returnFocus} testId="lineage-drawer">
      {q.isPending ? (
        <Loading what="the sources" />
      ) : q.error ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <>
          <MetricHeader data={head!} catalogue={catalogue} names={names} />
          <section aria-labelledby="lineage-events-title">
            <h3 id="lineage-events-title" className="mb-1 text-sm font-semibold">
              Source events{' '}
              <span className="font-normal text-muted" data-testid="lineage-shown">
                ({events.length} of {head!.total})
              </span>
            </h3>
            {pruned > 0 && (
              <p className="mb-1 text-sm text-muted" data-testid="lineage-pruned">
                {pruned} source event{pruned === 1 ? ' was' : 's were'} older than the retention period and pruned; the figure still includes{' '}
                {pruned === 1 ? 'it' : 'them'}.
              </p>
            )}
            {events.length === 0 ? (
              <p className="text-sm text-muted">{pruned > 0 ? 'No source events left to show.' : 'No source events.'}</p>
            ) : (
              <ul ref={list} data-testid="lineage-events">
                {events.map((e) => (
                  <EventItem key={e.eventId} e={e} unitOf={unitOf} />
                ))}
              </ul>
            )}
            {q.hasNextPage && (
              <button
                type="button"
                onClick={loadMore}
                disabled={q.isFetchingNextPage}
                className="mt-2 rounded border border-border px-3 py-1 text-sm hover:bg-surface-2 disabled:opacity-50"
                data-testid="lineage-more"
              >
                {q.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </button>
            )}
          </section>
        </>
      )}
    </Drawer>
  );
}
