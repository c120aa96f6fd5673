import type { CostSummary, CostTimeseries } from '../../../contracts/index.js';

function cell(v: string | number | null | undefined): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * What is on screen, as CSV: the summary per currency, the breakdown, the monthly budgets and the chart's buckets.
 * Budget rows put month-to-date spend in `amount` (empty when unknown, never 0) and the budget itself in the last columns.
 */
export function toCsv(summary: CostSummary, series: CostTimeseries | undefined, name: (key: string | null, as?: 'project') => string): string {
  const rows: (string | number | null)[][] = [
    [
      'section',
      'key',
      'name',
      'currency',
      'amount',
      'events',
      'unpriced',
      'status',
      'reason',
      'start',
      'end',
      'budget',
      'spent_pct',
      'exceeded_at',
      'projected_exceed_at',
    ],
  ];
  if (summary.availability === 'unavailable')
    rows.push(['summary', '', '', '', null, null, summary.unpricedEvents, 'unavailable', summary.reason, summary.start, summary.end]);
  for (const t of summary.totals)
    rows.push(['summary', '', '', t.currency, t.amount, t.events, summary.unpricedEvents, 'available', '', summary.start, summary.end]);
  for (const b of summary.breakdown) {
    if (b.totals.length === 0)
      rows.push([
        `breakdown:${summary.groupBy}`,
        b.key,
        name(b.key),
        '',
        null,
        0,
        b.unpricedEvents,
        'unavailable',
        'unpriced_events',
        summary.start,
        summary.end,
      ]);
    for (const t of b.totals)
      rows.push([
        `breakdown:${summary.groupBy}`,
        b.key,
        name(b.key),
        t.currency,
        t.amount,
        t.events,
        b.unpricedEvents,
        'available',
        '',
        summary.start,
        summary.end,
      ]);
  }
  for (const b of summary.budgets)
    rows.push([
      'budget:month',
      b.projectId,
      name(b.projectId, 'project'),
      b.currency,
      b.spent,
      null,
      null,
      b.availability === 'unavailable' ? 'unavailable' : b.status,
      b.reason,
      b.monthStart,
      b.monthEnd,
      b.amount,
      b.spentPct,
      b.exceededAt,
      b.projectedExceedAt,
    ]);
  for (const s of series?.series ?? [])
    for (const b of s.buckets)
      rows.push([
        `bucket:${series!.bucket}`,
        '',
        '',
        s.currency,
        b.status === 'available' ? b.amount : null,
        null,
        b.unpricedEvents,
        b.status,
        b.status === 'unavailable' ? b.reason : '',
        b.start,
        b.end,
      ]);
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
