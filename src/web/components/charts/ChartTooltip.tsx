import { hatchStyle } from './hatch.js';
import type { UnavailableRange } from './time-series.js';
import type { ChartCursor } from './use-uplot.js';

interface TipRow {
  id: string;
  label: string;
  color: string | undefined;
  value: number | null;
}

/** The hover tooltip of a TimeSeriesChart: the bucket, then each series' own value, or why the bucket has no data. */
export function ChartTooltip({
  cursor,
  width,
  title,
  gap,
  reasonIndex,
  rows,
  formatValue,
}: {
  cursor: ChartCursor;
  width: number;
  title: string;
  gap: UnavailableRange | undefined;
  reasonIndex: number;
  rows: readonly TipRow[];
  formatValue: (value: number) => string;
}) {
  return (
    <div
      aria-hidden="true"
      data-testid="chart-tooltip"
      className="pointer-events-none absolute top-1 z-10 w-max max-w-[min(18rem,100%)] rounded border border-border bg-surface px-2 py-1 text-xs text-fg shadow-md"
      // Anchored at the cursor and shifted by the cursor's share of the width: flush left at the first bucket,
      // flush right at the last, so it never leaves the chart, whatever its own width (no measuring needed).
      style={{ left: cursor.left, transform: `translateX(-${Math.round(Math.min(Math.max(cursor.left / Math.max(width, 1), 0), 1) * 100)}%)` }}
    >
      <p className="font-semibold">{title}</p>
      {gap ? (
        <p className="flex items-center gap-1">
          <span className="inline-block h-3 w-3 shrink-0 rounded-sm border border-border" style={hatchStyle(reasonIndex)} />
          no data: {gap.label}
        </p>
      ) : (
        rows.map((r) => (
          <p key={r.id} className="flex items-center gap-1 tabular-nums">
            <span className="inline-block h-2 w-2 shrink-0 rounded-full" style={{ background: r.color }} />
            <span className="min-w-0 truncate" title={r.label}>
              {r.label}
            </span>
            <span className="ml-auto whitespace-nowrap pl-2 font-semibold">{r.value === null ? 'no value' : formatValue(r.value)}</span>
          </p>
        ))
      )}
    </div>
  );
}
