import { useState } from 'react';
import { rangeAt, type TimeSeries, type UnavailableRange } from './time-series.js';

/**
 * The chart's numbers as a table: the accessible alternative to the canvas, and a way to read exact values on a
 * phone. Rendered only while open, so a 10,000-bucket series costs nothing until someone asks for it.
 */
export function ChartDataTable({ label, x, series, unavailable, formatValue, formatX }: { label: string; x: readonly number[]; series: readonly TimeSeries[]; unavailable: readonly UnavailableRange[] | undefined; formatValue: (v: number) => string; formatX: (x: number) => string }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="mt-2 text-sm" onToggle={(e) => setOpen(e.currentTarget.open)} data-testid="chart-table-toggle">
      <summary className="cursor-pointer text-muted hover:text-fg">Show the data as a table</summary>
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
                  <tr key={xv} data-testid="chart-table-row" data-status={gap ? 'unavailable' : 'available'} data-reason={gap?.reason} className="border-t border-border">
                    <th scope="row" className="px-2 py-1 font-normal">
                      {formatX(xv)}
                    </th>
                    {series.map((s) => {
                      const v = s.values[i];
                      return (
                        <td key={s.id} className={`px-2 py-1 text-right ${v === null || v === undefined ? 'text-muted' : ''}`}>
                          {v !== null && v !== undefined ? formatValue(v) : gap ? `no data (${gap.label})` : 'no value'}
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
