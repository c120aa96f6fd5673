import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useNames } from '../../api/use-names.js';
import { useParamSetter } from '../../components/filters.js';
import { StaleBanner } from '../../components/StaleBanner.js';
import { Empty, PageHeader } from '../../components/states.js';
import { useStaleness } from '../../live/live-context.js';
import { filtersFrom } from './analytics-params.js';
import { AnalyticsFilterBar, OutliersSection, RangeLine, TrendsSection } from './AnalyticsSections.js';
import { LineageDrawer } from './LineageDrawer.js';
import { useAnalyticsData } from './use-analytics-data.js';

export default function AnalyticsPage() {
  const [params] = useSearchParams();
  const f = filtersFrom(params);
  const names = useNames();
  const set = useParamSetter({ replace: true });
  const data = useAnalyticsData(f, names);
  const { range, catalogue, trends, errors } = data;
  const staleness = useStaleness('agent');
  const [opener, setOpener] = useState<HTMLElement | null>(null);

  const openLineage = (ref: string, el: HTMLElement) => {
    setOpener(el);
    set({ lineage: ref });
  };

  return (
    <section data-testid="analytics-page">
      <PageHeader title="Agent analytics">
        {staleness.stale && staleness.kind === 'connection' && (
          <span data-testid="analytics-stale" className="rounded bg-warn-bg px-2 py-0.5 text-xs font-semibold text-warn">
            stale: live updates paused
          </span>
        )}
      </PageHeader>
      <StaleBanner modules={['agent']} />
      <AnalyticsFilterBar f={f} names={names} catalogue={catalogue} errors={errors} set={set} />

      {range === undefined ? (
        <Empty>Fix the range to see analytics.</Empty>
      ) : (
        <>
          <RangeLine range={range} bucket={f.bucket} trends={trends} />
          <TrendsSection data={data} onOpen={openLineage} />
          <OutliersSection data={data} names={names} onOpen={openLineage} />
        </>
      )}
      {f.lineage && catalogue.data && (
        <LineageDrawer
          key={f.lineage}
          lineageRef={f.lineage}
          onClose={() => set({ lineage: undefined })}
          returnFocus={opener}
          catalogue={catalogue.data}
          names={names}
        />
      )}
    </section>
  );
}
