import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import type { FlowSourcesQuery } from '../../../../contracts/index.js';
import { queries } from '../../../api/queries.js';
import { useParamSetter } from '../../../components/filters.js';
import { RelativeTime } from '../../../components/RelativeTime.js';
import { ErrorState, Loading } from '../../../components/states.js';
import { TimeZoneSelect } from '../../../components/TimeZoneSelect.js';
import { inputCls } from '../../../components/WindowFields.js';
import { CycleTime } from './CycleTime.js';
import { FlowCharts } from './FlowCharts.js';
import { FLOW_RANGES, flowViewFrom, RANGE_LABEL, rangeStart, sourcesPatch, type FlowView } from './flow-params.js';
import { FlowSourcesDrawer } from './FlowSourcesDrawer.js';

function Controls({ view, set }: { view: FlowView; set: (patch: Record<string, string | undefined>) => void }) {
  return (
    <div className="flex flex-wrap items-center gap-3 text-sm" role="group" aria-label="Flow chart options">
      <fieldset className="flex items-center gap-1.5" data-testid="flow-bucket">
        <legend className="sr-only">Period</legend>
        <span className="text-muted" aria-hidden="true">
          Per
        </span>
        {(['day', 'week'] as const).map((b) => (
          <label
            key={b}
            className={`cursor-pointer rounded-full border px-2.5 py-0.5 text-xs has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-focus ${view.bucket === b ? 'border-accent bg-accent text-accent-fg' : 'border-border bg-surface hover:bg-surface-2'}`}
          >
            <input
              type="radio"
              name="bucket"
              value={b}
              checked={view.bucket === b}
              onChange={() => set({ bucket: b === 'day' ? undefined : b })}
              className="sr-only"
            />
            {b}
          </label>
        ))}
      </fieldset>
      <label className="flex min-w-0 items-center gap-1.5">
        <span className="text-muted">Range</span>
        <select name="range" value={view.range} onChange={(e) => set({ range: e.target.value === 'all' ? undefined : e.target.value })} className={inputCls}>
          {FLOW_RANGES.map((r) => (
            <option key={r} value={r}>
              {RANGE_LABEL[r]}
            </option>
          ))}
        </select>
      </label>
      <TimeZoneSelect value={view.tz} onChange={(tz) => set({ tz })} />
    </div>
  );
}

/**
 * How work flowed through the project, from its stories' status history: cumulative flow, burndown per epic,
 * throughput and cycle time. Period, range and zone live in the URL, as does the point whose sources are open.
 */
export function FlowSection({ projectId }: { projectId: string }) {
  const [params] = useSearchParams();
  const view = flowViewFrom(params);
  const set = useParamSetter({ replace: true });
  const flow = useQuery({
    ...queries.flow(projectId, { bucket: view.bucket, tz: view.tz, start: rangeStart(view.range, Date.now()) }),
    placeholderData: keepPreviousData,
  });
  const [opener, setOpener] = useState<HTMLElement | null>(null);
  const open = (q: FlowSourcesQuery, el: HTMLElement) => {
    setOpener(el);
    set(sourcesPatch(q));
  };
  const data = flow.data;
  return (
    <section
      className="mb-4 min-w-0 rounded-md border border-border bg-surface p-3 sm:p-4"
      aria-labelledby="flow-title"
      data-testid="project-flow"
      data-tz={view.tz}
      data-bucket={view.bucket}
    >
      <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
        <h2 id="flow-title" className="font-semibold">
          Flow
        </h2>
        <Controls view={view} set={set} />
      </div>
      {flow.error && !data ? (
        <ErrorState error={flow.error} onRetry={() => void flow.refetch()} />
      ) : !data ? (
        <Loading what="the flow" />
      ) : data.firstTransitionAt === null ? (
        <p className="rounded-md border border-dashed border-border px-4 py-6 text-center text-sm text-muted" data-testid="flow-no-history">
          No status change has been recorded for this project&apos;s stories yet, so there is no flow to draw. When the BMAD connector reads a project from git,
          its history fills these charts; otherwise they start with the first change it sees.
        </p>
      ) : (
        <div data-testid="flow-ready" data-fetching={String(flow.isFetching)}>
          <p className="mb-3 text-xs text-muted" data-testid="flow-span">
            {data.firstTransitionAt === data.lastTransitionAt ? (
              <>
                Every status change recorded so far is from <RelativeTime value={data.firstTransitionAt} />: there is no earlier history to draw yet.
              </>
            ) : (
              <>
                Status changes recorded from <RelativeTime value={data.firstTransitionAt} /> to <RelativeTime value={data.lastTransitionAt} />.
              </>
            )}
          </p>
          <div className="mb-3">
            <CycleTime c={data.cycleTimeHours} />
          </div>
          <FlowCharts flow={data} onOpen={open} />
        </div>
      )}
      {view.sources && (
        <FlowSourcesDrawer
          key={JSON.stringify(view.sources)}
          projectId={projectId}
          query={view.sources}
          flow={data}
          onClose={() => set(sourcesPatch(undefined))}
          returnFocus={opener}
        />
      )}
    </section>
  );
}
