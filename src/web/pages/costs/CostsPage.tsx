import { WindowFields } from '../../components/WindowFields.js';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import type { CostSummary } from '../../../contracts/index.js';
import { ApiError } from '../../api/http.js';
import { queries } from '../../api/queries.js';
import { useNames, type Names } from '../../api/use-names.js';
import { SelectFilter, useParamSetter } from '../../components/filters.js';
import { Field } from '../../components/Field.js';
import { ModelName } from '../../components/ModelName.js';
import { TimeZoneSelect } from '../../components/TimeZoneSelect.js';
import { StaleBanner } from '../../components/StaleBanner.js';
import { Empty, ErrorState, Loading, PageHeader } from '../../components/states.js';
import { bucketFor, dateToInstant, filtersFrom, rangeErrors, type CostFilters, type GroupBy } from './cost-params.js';
import { BudgetBars } from './BudgetBars.js';
import { CostCharts } from './CostCharts.js';
import { money, reasonText } from './cost-format.js';
import { downloadCsv, toCsv } from './csv.js';

function serverFieldError(error: unknown, field: 'start' | 'end'): string | undefined {
  if (!(error instanceof ApiError) || error.status !== 422) return undefined;
  return error.fields.find((f) => f.path === field || f.path.endsWith(`.${field}`))?.message;
}

function SummaryCards({ summary }: { summary: CostSummary }) {
  if (summary.availability === 'unavailable')
    return (
      <div
        role="status"
        data-testid="cost-unavailable"
        data-reason={summary.reason ?? ''}
        className="mb-4 rounded-md border border-info bg-info-bg px-4 py-3 text-sm text-info"
      >
        <strong>Cost unavailable for this range</strong>: {reasonText(summary.reason)}.
        {summary.unpricedEvents > 0 && ` ${summary.unpricedEvents} cost record${summary.unpricedEvents === 1 ? '' : 's'} without a price.`}
      </div>
    );
  if (summary.totals.length === 0) return <Empty>No costs were recorded in this range.</Empty>;
  return (
    <div className="mb-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-3" data-testid="cost-cards">
      {summary.totals.map((t) => {
        const cmp = summary.comparison.find((c) => c.currency === t.currency);
        const noPrevious = summary.previous.availability === 'unavailable' || !cmp || cmp.changePct === null;
        return (
          <div
            key={t.currency}
            data-testid="cost-card"
            data-currency={t.currency}
            data-amount={t.amount}
            className="min-w-0 rounded-md border border-border bg-surface px-4 py-3"
          >
            <p className="text-xs font-semibold uppercase text-muted">{t.currency}</p>
            <p data-testid="cost-amount" className="truncate text-2xl font-semibold" title={money(t.amount, t.currency)}>
              {money(t.amount, t.currency)}
            </p>
            <p className="text-sm text-muted">
              {t.events} record{t.events === 1 ? '' : 's'} ·{' '}
              {noPrevious ? (
                <span data-testid="cost-change">no previous data</span>
              ) : (
                <span data-testid="cost-change" className={cmp.change > 0 ? 'text-warn' : cmp.change < 0 ? 'text-ok' : ''}>
                  <span aria-hidden="true">{cmp.change > 0 ? '▲' : cmp.change < 0 ? '▼' : '■'}</span> {cmp.change > 0 ? '+' : ''}
                  {cmp.changePct!.toFixed(1)}% vs previous
                </span>
              )}
            </p>
          </div>
        );
      })}
      {summary.unpricedEvents > 0 && (
        <div data-testid="cost-unpriced" className="min-w-0 rounded-md border border-dashed border-border bg-surface px-4 py-3 text-sm text-muted">
          <p className="text-xs font-semibold uppercase">Unpriced</p>
          <p className="text-2xl font-semibold text-fg">{summary.unpricedEvents}</p>
          <p>records with no known price (not counted as zero)</p>
        </div>
      )}
    </div>
  );
}

function keyName(key: string | null, groupBy: GroupBy, names: Names, label: string | null = null): string {
  if (key === null) return groupBy === 'workflow' ? 'no BMAD workflow' : `no ${groupBy}`;
  if (label) return label;
  if (groupBy === 'project') return names.project(key) ?? key;
  if (groupBy === 'agent') return names.agent(key) ?? key;
  return key;
}

const COLS = 'md:grid md:grid-cols-[minmax(0,2fr)_minmax(0,2fr)_8rem] md:items-center md:gap-3';

function Breakdown({ summary, names }: { summary: CostSummary; names: Names }) {
  if (summary.breakdown.length === 0) return null;
  return (
    <section aria-labelledby="breakdown-title" className="mb-4">
      <h2 id="breakdown-title" className="mb-2 text-base font-semibold">
        By {summary.groupBy}
      </h2>
      <div className="overflow-hidden rounded-md border border-border bg-surface">
        <div aria-hidden="true" className={`${COLS} hidden border-b border-border bg-surface-2 px-3 py-2 text-xs font-semibold uppercase text-muted md:grid`}>
          <span>{summary.groupBy}</span>
          <span>Amount</span>
          <span>Unpriced</span>
        </div>
        <ul aria-label={`Cost by ${summary.groupBy}`} data-testid="cost-breakdown">
          {summary.breakdown.map((row) => (
            <li
              key={row.key ?? '∅'}
              data-testid="breakdown-row"
              data-key={row.key ?? ''}
              className={`${COLS} space-y-1 border-b border-border px-3 py-2 last:border-b-0 md:space-y-0`}
            >
              <Field label={summary.groupBy} title={keyName(row.key, summary.groupBy, names, row.label)}>
                <span className="font-medium">
                  {summary.groupBy === 'model' && row.key ? <ModelName id={row.key} /> : keyName(row.key, summary.groupBy, names, row.label)}
                </span>
              </Field>
              <Field label="Amount">
                {row.totals.length > 0 ? row.totals.map((t) => money(t.amount, t.currency)).join(' · ') : <span className="text-muted">unknown</span>}
              </Field>
              <Field label="Unpriced">{row.unpricedEvents}</Field>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}

const inputCls = 'min-w-0 rounded border border-border bg-surface px-2 py-1 text-fg';

export default function CostsPage() {
  const [params] = useSearchParams();
  const f: CostFilters = filtersFrom(params);
  const names = useNames();
  const set = useParamSetter({ replace: true });
  const errors = rangeErrors(f);
  const valid = !errors.start && !errors.end;
  const custom = f.window === 'custom';
  const summary = useQuery({
    ...queries.costSummary({
      window: f.window,
      start: custom && f.start ? dateToInstant(f.start) : undefined,
      end: custom && f.end ? dateToInstant(f.end) : undefined,
      projectId: f.projectId,
      groupBy: f.groupBy,
    }),
    enabled: valid,
    placeholderData: keepPreviousData,
  });
  const bucket = bucketFor(f);
  const range =
    custom && valid
      ? { start: dateToInstant(f.start!), end: dateToInstant(f.end!) }
      : summary.data && !summary.isPlaceholderData
        ? { start: summary.data.start, end: summary.data.end }
        : undefined;
  const series = useQuery({
    ...queries.costTimeseries({ bucket, start: range?.start ?? '', end: range?.end ?? '', projectId: f.projectId, tz: f.tz }),
    enabled: valid && range !== undefined,
    placeholderData: keepPreviousData,
  });
  const startError = errors.start ?? serverFieldError(summary.error, 'start') ?? serverFieldError(series.error, 'start');
  const endError = errors.end ?? serverFieldError(summary.error, 'end') ?? serverFieldError(series.error, 'end');
  const exportCsv = () => {
    if (!summary.data) return;
    downloadCsv(
      `costs-${summary.data.start.slice(0, 10)}-${summary.data.end.slice(0, 10)}.csv`,
      toCsv(summary.data, series.data, (k, as) => keyName(k, as ?? summary.data.groupBy, names)),
    );
  };
  return (
    <section data-testid="costs-page">
      <PageHeader title="Costs">
        <button
          type="button"
          onClick={exportCsv}
          disabled={!summary.data}
          className="rounded border border-border bg-surface px-3 py-1 text-sm hover:bg-surface-2 disabled:opacity-50"
        >
          Export CSV
        </button>
      </PageHeader>
      <StaleBanner modules={['cost']} />
      <div className="mb-4 flex flex-wrap items-start gap-3" role="search" aria-label="Cost filters">
        <WindowFields idPrefix="cost" label="Window" window={f.window} start={f.start} end={f.end} errors={{ start: startError, end: endError }} set={set} />
        <SelectFilter
          label="Project"
          name="projectId"
          value={f.projectId}
          onChange={(v) => set({ projectId: v })}
          options={(names.directory?.projects ?? []).map((p) => ({ id: p.id, label: p.name }))}
        />
        <TimeZoneSelect value={f.tz} onChange={(tz) => set({ tz })} />
        <label className="flex min-w-0 items-center gap-1.5 text-sm">
          <span className="text-muted">Group by</span>
          <select name="groupBy" value={f.groupBy} onChange={(e) => set({ groupBy: e.target.value })} className={inputCls}>
            <option value="project">Project</option>
            <option value="agent">Agent</option>
            <option value="model">Model</option>
            <option value="story">Story</option>
            <option value="epic">Epic</option>
            <option value="workflow">BMAD workflow</option>
          </select>
        </label>
      </div>
      {!valid ? (
        <Empty>Fix the range to see costs.</Empty>
      ) : summary.isPending ? (
        <Loading what="costs" />
      ) : summary.error ? (
        <ErrorState error={summary.error} onRetry={() => void summary.refetch()} />
      ) : (
        <div data-testid="costs-ready" data-window={summary.data.window}>
          <p className="mb-3 text-sm text-muted">
            {new Date(summary.data.start).toLocaleString(undefined, { timeZone: f.tz })} –{' '}
            {new Date(summary.data.end).toLocaleString(undefined, { timeZone: f.tz })}
          </p>
          <SummaryCards summary={summary.data} />
          <BudgetBars summary={summary.data} projectName={names.project} tz={f.tz} />
          {series.error ? (
            <ErrorState error={series.error} onRetry={() => void series.refetch()} />
          ) : series.data ? (
            <CostCharts series={series.data} tz={f.tz} />
          ) : (
            <Loading what="the chart" />
          )}
          <Breakdown summary={summary.data} names={names} />
          {summary.data.priceTable && (
            <p className="mt-3 text-xs text-muted" data-testid="price-table-version">
              Records with tokens only are priced with price table {summary.data.priceTable.version} (<code>bmad-ops pricing show</code>).
            </p>
          )}
        </div>
      )}
    </section>
  );
}
