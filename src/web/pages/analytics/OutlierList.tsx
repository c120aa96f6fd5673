import type { ReactNode } from 'react';
import type { KpiCatalogue, Outlier } from '../../../contracts/index.js';
import type { Names } from '../../api/use-names.js';
import { Empty } from '../../components/states.js';
import { formatScore, formatValue, formatWindow } from './format.js';
import type { OpenLineage } from './TrendCharts.js';

/** Words for the method, with the baseline's size from the catalogue: what the value was compared with. */
export function methodText(o: Pick<Outlier, 'method'>, catalogue: KpiCatalogue): string {
  return o.method === 'peer_mad' ? 'vs other agents this day' : `vs this agent's last ${catalogue.outliers.historyDays} days`;
}

/** Biggest deviation first, whichever side: what most needs a look. */
export const byScore = (a: Outlier, b: Outlier) => Math.abs(b.score) - Math.abs(a.score) || a.id - b.id;

const COLS =
  'lg:grid lg:grid-cols-[minmax(0,1.2fr)_minmax(0,1.2fr)_minmax(0,1fr)_minmax(0,0.8fr)_minmax(0,0.9fr)_minmax(0,1.2fr)_minmax(0,2fr)_minmax(0,0.8fr)_auto] lg:items-start lg:gap-3';

function Cell({ label, children, className = '' }: { label: string; children: ReactNode; className?: string }) {
  return (
    <div className={`flex min-w-0 gap-2 text-sm lg:block ${className}`}>
      <span className="w-24 shrink-0 text-muted lg:sr-only">{label}</span>
      <span className="min-w-0 break-words">{children}</span>
    </div>
  );
}

function Verdict({ o }: { o: Outlier }) {
  // Text first, colour second: "worse"/"better" must read without seeing the colour.
  return o.worse ? (
    <span data-testid="outlier-verdict" data-worse="true" className="rounded bg-danger-bg px-1.5 py-0.5 font-semibold text-danger">
      <span aria-hidden="true">▲ </span>worse
    </span>
  ) : (
    <span data-testid="outlier-verdict" data-worse="false" className="rounded bg-ok-bg px-1.5 py-0.5 font-semibold text-ok">
      <span aria-hidden="true">▼ </span>better
    </span>
  );
}

export function OutlierList({ items, catalogue, names, onOpen }: { items: Outlier[]; catalogue: KpiCatalogue; names: Names; onOpen: OpenLineage }) {
  if (items.length === 0)
    return (
      <Empty>
        <span data-testid="outliers-empty">
          No outliers in this range. A day&apos;s value is scored only when at least {catalogue.outliers.minPeers} agents with a value the same day, or at least{' '}
          {catalogue.outliers.minHistory} days of the agent&apos;s own history (within the last {catalogue.outliers.historyDays}), make a baseline; it is
          flagged when |z| is above {catalogue.outliers.threshold}.
        </span>
      </Empty>
    );
  const sorted = [...items].sort(byScore);
  return (
    <div className="overflow-hidden rounded-md border border-border bg-surface">
      <div aria-hidden="true" className={`${COLS} hidden border-b border-border bg-surface-2 px-3 py-2 text-xs font-semibold uppercase text-muted lg:grid`}>
        <span>Agent</span>
        <span>KPI</span>
        <span>Window</span>
        <span>Value</span>
        <span>Score</span>
        <span>Compared</span>
        <span>Why</span>
        <span>Verdict</span>
        <span className="sr-only">Sources</span>
      </div>
      <ul aria-label="Outliers, largest deviation first" data-testid="outlier-list">
        {sorted.map((o) => {
          const def = catalogue.kpis.find((k) => k.id === o.kpi);
          return (
            <li
              key={o.id}
              data-testid="outlier-row"
              data-agent={o.agentId}
              data-kpi={o.kpi}
              data-score={o.score}
              data-method={o.method}
              data-worse={String(o.worse)}
              className={`${COLS} space-y-1 border-b border-border px-3 py-2 last:border-b-0 lg:space-y-0`}
            >
              <Cell label="Agent">
                <span className="font-medium">{names.agent(o.agentId)}</span>
              </Cell>
              <Cell label="KPI">{def?.name ?? o.kpi}</Cell>
              <Cell label="Window">{formatWindow(o.windowStart, o.windowEnd)}</Cell>
              <Cell label="Value">
                <span data-testid="outlier-value">{formatValue(o.value, def?.unit, o.unit)}</span>
                <span className="block text-xs text-muted">median {formatValue(o.baselineMedian, def?.unit, o.unit)}</span>
              </Cell>
              <Cell label="Score">
                <span data-testid="outlier-score" className="font-semibold tabular-nums">
                  z {formatScore(o.score)}
                </span>
                <span className="block text-xs text-muted">
                  {o.side}; flagged above |z| {o.threshold}
                </span>
              </Cell>
              <Cell label="Compared">
                <span data-testid="outlier-method">{methodText(o, catalogue)}</span>
                <span className="block text-xs text-muted">
                  {o.baselineSize} value{o.baselineSize === 1 ? '' : 's'}
                </span>
              </Cell>
              <Cell label="Why">
                <span data-testid="outlier-why">{o.why}</span>
              </Cell>
              <Cell label="Verdict">
                <Verdict o={o} />
                {def && <span className="block text-xs text-muted">{def.direction === 'lower_is_better' ? 'lower is better' : 'higher is better'}</span>}
              </Cell>
              <div className="pt-1 lg:pt-0">
                <button
                  type="button"
                  onClick={(e) => onOpen(o.lineageRef, e.currentTarget)}
                  className="rounded border border-border px-2 py-0.5 text-xs hover:bg-surface-2"
                  aria-label={`Show sources of ${names.agent(o.agentId)}'s ${def?.name ?? o.kpi} outlier`}
                  data-testid="outlier-sources"
                >
                  Sources
                </button>
              </div>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
