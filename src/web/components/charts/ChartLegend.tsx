import { hatchStyle } from './hatch.js';
import type { ChartKind, UnavailableRange } from './time-series.js';

function SeriesSwatch({ color, stroke, kind, index }: { color: string; stroke: string; kind: ChartKind; index: number }) {
  if (kind === 'bars') return <span aria-hidden="true" className="inline-block h-3 w-3 rounded-sm" style={{ background: color }} />;
  if (kind === 'stacked')
    return <span aria-hidden="true" className="inline-block h-3 w-3 shrink-0 rounded-sm border-t-2" style={{ background: color, borderTopColor: stroke }} />;
  const dash = ['', '6 3', '2 3', '8 3 2 3'][index % 4];
  return (
    <svg aria-hidden="true" width="18" height="12" className="shrink-0">
      <line x1="1" y1="6" x2="17" y2="6" stroke={color} strokeWidth="2" strokeDasharray={dash || undefined} />
    </svg>
  );
}

export function ChartLegend({
  series,
  colors,
  strokes = colors,
  kind,
  reasons,
}: {
  series: readonly { id: string; label: string }[];
  colors: readonly string[];
  strokes?: readonly string[];
  kind: ChartKind;
  reasons: readonly UnavailableRange[];
}) {
  return (
    <ul aria-label="Legend" className="mt-1 flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-muted">
      {series.map((s, i) => (
        <li key={s.id} className="flex items-center gap-1">
          <SeriesSwatch color={colors[i] ?? 'currentColor'} stroke={strokes[i] ?? 'currentColor'} kind={kind} index={i} /> {s.label}
        </li>
      ))}
      {reasons.map((r, i) => (
        <li key={r.reason} data-testid="chart-no-data-legend" data-reason={r.reason} className="flex items-center gap-1">
          <span aria-hidden="true" className="inline-block h-3 w-3 rounded-sm border border-border" style={hatchStyle(i)} />
          no data: {r.label}
        </li>
      ))}
    </ul>
  );
}
