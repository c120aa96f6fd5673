import type { CostSummary, ProjectBudget } from '../../../contracts/index.js';
import type { Names } from '../../api/use-names.js';
import { hatchStyle } from '../../components/charts/hatch.js';
import { dayLabel, money, shortReason } from './cost-format.js';

/** Status in words and a glyph as well as colour, so it never rests on colour alone. */
const STATUS: Record<Exclude<ProjectBudget['status'], 'unknown'>, { text: string; glyph: string; pill: string; bar: string }> = {
  on_track: { text: 'On track', glyph: '✓', pill: 'bg-ok-bg text-ok', bar: 'bg-ok' },
  at_risk: { text: 'At risk', glyph: '▲', pill: 'bg-warn-bg text-warn', bar: 'bg-warn' },
  exceeded: { text: 'Exceeded', glyph: '✕', pill: 'bg-danger-bg text-danger', bar: 'bg-danger' },
};

function monthName(b: ProjectBudget): string {
  try {
    return new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(b.monthStart));
  } catch {
    return b.month;
  }
}

function Budget({ b, name, tz }: { b: ProjectBudget; name: string; tz: string }) {
  const budget = money(b.amount, b.currency);
  const common = {
    'data-testid': 'budget',
    'data-project': b.projectId,
    'data-currency': b.currency,
    className: 'min-w-0 rounded-md border border-border bg-surface px-3 py-2 text-sm',
  };
  // Unknown spend is said in words over a hatched track: an empty bar would read as "nothing spent".
  if (b.spent === null || b.status === 'unknown')
    return (
      <li {...common} data-status="unknown" data-availability="unavailable">
        <div className="flex items-center justify-between gap-2">
          <span className="truncate font-medium" title={name}>
            {name}
          </span>
          <span className="shrink-0 rounded bg-neutral-bg px-1.5 py-0.5 text-xs font-semibold text-neutral">? Status unknown</span>
        </div>
        <p className="mt-0.5 text-muted">
          Budget {budget} · <span data-testid="budget-unavailable">spent unavailable — {shortReason(b.reason)}</span>
        </p>
        <div aria-hidden="true" className="mt-1.5 h-2 rounded border border-border" style={hatchStyle(0)} />
      </li>
    );
  // Floored: 99.9 % must not read as a spent budget while the status still says it is not exceeded.
  const exact = b.spentPct ?? (b.spent / b.amount) * 100;
  const pct = Math.floor(exact);
  // A little spend is not "0 %", which would read as nothing spent.
  const pctText = exact > 0 && exact < 1 ? '<1 %' : `${pct} %`;
  const s = STATUS[b.status];
  const when = b.exceededAt
    ? `exceeded on ${dayLabel(b.exceededAt, tz)}`
    : b.projectedExceedAt
      ? `projected to exceed on ${dayLabel(b.projectedExceedAt, tz)}`
      : 'within budget at the current rate';
  return (
    <li {...common} data-status={b.status} data-availability="available">
      <div className="flex items-center justify-between gap-2">
        <span className="truncate font-medium" title={name}>
          {name}
        </span>
        <span data-testid="budget-status" className={`shrink-0 rounded px-1.5 py-0.5 text-xs font-semibold ${s.pill}`}>
          <span aria-hidden="true">{s.glyph}</span> {s.text}
        </span>
      </div>
      <p className="mt-0.5 flex flex-wrap justify-between gap-x-2 tabular-nums">
        <span data-testid="budget-spent">
          {money(b.spent, b.currency)} <span className="text-muted">of {budget}</span>
        </span>
        <span data-testid="budget-pct" className="font-semibold">
          {pctText}
        </span>
      </p>
      <div
        role="progressbar"
        aria-label={`${name}: budget used`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.max(0, Math.min(100, pct))}
        aria-valuetext={`${money(b.spent, b.currency)} of ${budget} (${pctText}), ${s.text.toLowerCase()}`}
        className="mt-1.5 h-2 overflow-hidden rounded bg-surface-2"
      >
        <div className={`h-full rounded ${s.bar}`} style={{ width: `${Math.max(0, Math.min(100, pct))}%` }} />
      </div>
      <p data-testid="budget-when" className={`mt-1 text-xs ${b.status === 'on_track' ? 'text-muted' : b.status === 'at_risk' ? 'text-warn' : 'text-danger'}`}>
        {when}
      </p>
    </li>
  );
}

/** Month-to-date spend against each in-scope project's monthly budget (the month is UTC, whatever the window). */
export function BudgetBars({ summary, projectName, tz }: { summary: CostSummary; projectName: Names['project']; tz: string }) {
  const first = summary.budgets[0];
  if (!first) return null;
  return (
    <section aria-labelledby="budgets-title" className="mb-4" data-testid="budgets">
      <h2 id="budgets-title" className="mb-2 text-base font-semibold">
        Monthly budgets <span className="text-sm font-normal text-muted">({monthName(first)}, UTC, month to date)</span>
      </h2>
      <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        {summary.budgets.map((b) => (
          <Budget key={`${b.projectId}-${b.currency}`} b={b} name={projectName(b.projectId) ?? b.projectId} tz={tz} />
        ))}
      </ul>
    </section>
  );
}
