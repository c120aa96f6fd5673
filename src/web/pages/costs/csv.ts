import type { CostSummary, CostTimeseries } from '../../../contracts/index.js';

function cell(v: string | number | null | undefined): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** What is on screen, as CSV: the summary per currency, the breakdown, and the chart's buckets. */
export function toCsv(summary: CostSummary, series: CostTimeseries | undefined, name: (key: string | null) => string): string {
  const rows: (string | number | null)[][] = [['section', 'key', 'name', 'currency', 'amount', 'events', 'unpriced', 'status', 'reason', 'start', 'end']];
  if (summary.availability === 'unavailable') rows.push(['summary', '', '', '', null, null, summary.unpricedEvents, 'unavailable', summary.reason, summary.start, summary.end]);
  for (const t of summary.totals) rows.push(['summary', '', '', t.currency, t.amount, t.events, summary.unpricedEvents, 'available', '', summary.start, summary.end]);
  for (const b of summary.breakdown) {
    if (b.totals.length === 0) rows.push([`breakdown:${summary.groupBy}`, b.key, name(b.key), '', null, 0, b.unpricedEvents, 'unavailable', 'unpriced_events', summary.start, summary.end]);
    for (const t of b.totals) rows.push([`breakdown:${summary.groupBy}`, b.key, name(b.key), t.currency, t.amount, t.events, b.unpricedEvents, 'available', '', summary.start, summary.end]);
  }
  for (const s of series?.series ?? [])
    for (const b of s.buckets)
      rows.push([`bucket:${series!.bucket}`, '', '', s.currency, b.status === 'available' ? b.amount : null, null, b.unpricedEvents, b.status, b.status === 'unavailable' ? b.reason : '', b.start, b.end]);
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

export function downloadCsv(filename: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
