import { useState } from 'react';
import { rangeAt, type TimeSeries, type UnavailableRange } from './time-series.js';

export interface TableSources {
  has: (bucket: number, series: number) => boolean;
  open: (bucket: number, series: number | null, opener: HTMLElement) => void;
}

/**
 * The chart's numbers as a table: the accessible alternative to the canvas, and a way to read exact values on a
 * phone. Rendered only while open, so a 10,000-bucket series costs nothing until someone asks for it. With `sources`,
 * each value that has some gets a button to them.
 */
export function ChartDataTable({
  label,
  x,
  series,
  unavailable,
  formatValue,
  formatX,
  sources,
}: {
  label: string;
  x: readonly number[];
  series: readonly TimeSeries[];
  unavailable: readonly UnavailableRange[] | undefined;
  formatValue: (v: number) => string;
  formatX: (x: number) => string;
  sources?: TableSources | undefined;
}) {
  const [open, setOpen] = useState(false);
  return (
    <details className="mt-2 text-sm" onToggle={(e) => setOpen(e.currentTarget.open)} data-testid="chart-table-toggle">
      <summary className="cursor-pointer text-muted hover:text-fg">{sources ? 'Show the data as a table, with sources' : 'Show the data as a table'}</summary>
      {open && (
        <div className="mt-2 max-h-80 overflow-auto rounded border border-border">
          <table className="w-full text-left text-xs tabular-nums" data-testid="chart-table">
            <caption className="sr-only">{label}</caption>
            <thead className="sticky top-0 bg-surface-2">
              <tr>
                <th scope="col" className="px-2 py-1 font-semibold">
                  Period
                </th>
                {series.map((s) => (
                  <th key={s.id} scope="col" className="px-2 py-1 text-right font-semibold">
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {x.map((xv, i) => {
                const gap = rangeAt(unavailable, xv);
                return (
                  <tr
                    key={xv}
                    data-testid="chart-table-row"
                    data-x={xv}
                    data-status={gap ? 'unavailable' : 'available'}
                    data-reason={gap?.reason}
                    className="border-t border-border"
                  >
                    <th scope="row" className="whitespace-nowrap px-2 py-1 font-normal">
                      {formatX(xv)}
                    </th>
                    {series.map((s, si) => {
                      const v = s.values[i];
                      const known = v !== null && v !== undefined;
                      return (
                        <td
                          key={s.id}
                          data-testid="chart-table-cell"
                          data-series={s.id}
                          data-value={known ? v : ''}
                          className={`whitespace-nowrap px-2 py-1 text-right ${known ? '' : 'text-muted'}`}
                        >
                          {known ? formatValue(v) : gap ? `no data (${gap.label})` : 'no value'}
                          {sources?.has(i, si) && (
                            <button
                              type="button"
                              onClick={(e) => sources.open(i, si, e.currentTarget)}
                              className="ml-2 rounded border border-border px-1.5 py-0.5 text-[11px] hover:bg-surface-2"
                              aria-label={`Show the sources of ${s.label}, ${formatX(xv)}`}
                              data-testid="chart-sources"
                            >
                              sources
                            </button>
                          )}
                        </td>
                      );
                    })}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </details>
  );
}
