import type { FlowResponse } from '../../../../contracts/index.js';
import { unavailableRuns, type TimeSeries, type UnavailableRange } from '../../../components/charts/time-series.js';
import { columnWords } from './flow-format.js';

/** One chart's props and the buckets behind its points (what the sources drawer asks the server about). */
export interface FlowChart {
  x: number[];
  series: TimeSeries[];
  unavailable: UnavailableRange[];
  buckets: { start: string; end: string }[];
}

const NO_HISTORY = { reason: 'no_history', label: 'before the first recorded status change' };

/** Runs of buckets with nothing recorded yet: hatched "no data", never zero. */
const noData = <B extends { start: string; end: string }>(buckets: readonly B[], unknown: (b: B) => boolean) =>
  unavailableRuns(
    buckets,
    (b) => ({ from: Date.parse(b.start), to: Date.parse(b.end), reason: unknown(b) ? NO_HISTORY.reason : null }),
    () => NO_HISTORY.label,
  );

/** A colour per BMAD column that says something: waiting is grey, work in progress blue, review orange, done green. */
const COLUMN_VAR: Record<string, string> = {
  planned: '--chart-7',
  backlog: '--chart-7',
  draft: '--chart-7',
  readyfordev: '--chart-5',
  approved: '--chart-5',
  inprogress: '--chart-1',
  blocked: '--chart-6',
  review: '--chart-2',
  inreview: '--chart-2',
  built: '--chart-8',
  awaitingoperator: '--chart-4',
  done: '--chart-3',
  dropped: '--chart-8',
  canceled: '--chart-8',
};
const ALL_VARS = ['--chart-1', '--chart-2', '--chart-3', '--chart-4', '--chart-5', '--chart-6', '--chart-7', '--chart-8'];

/** Colours for a chart's columns: each its own where the palette allows, the usual one first. */
export function columnColors(columns: readonly string[]): string[] {
  const used = new Set<string>();
  const preferred = columns.map((c) => COLUMN_VAR[c.toLowerCase().replace(/[^a-z]/g, '')]);
  const out = columns.map((_, i) => {
    const p = preferred[i];
    if (p && !used.has(p)) {
      used.add(p);
      return p;
    }
    return undefined;
  });
  return out.map((v, i) => {
    if (v) return v;
    const free = ALL_VARS.find((x) => !used.has(x)) ?? ALL_VARS[i % ALL_VARS.length]!;
    used.add(free);
    return free;
  });
}

/** Stories per BMAD column at the end of each bucket, in workflow order (backlog on top of the stack, done at the bottom). */
export function cfdChart(flow: FlowResponse): FlowChart {
  const colors = columnColors(flow.columns);
  return {
    x: flow.cfd.map((b) => Date.parse(b.start)),
    series: flow.columns.map((c, i) => ({
      id: c,
      label: columnWords(c),
      colorVar: colors[i]!,
      values: flow.cfd.map((b) => (b.counts === null ? null : (b.counts[c] ?? 0))),
    })),
    unavailable: noData(flow.cfd, (b) => b.counts === null),
    buckets: flow.cfd.map(({ start, end }) => ({ start, end })),
  };
}

/** Stories not done per epic, one line each; a bucket is "no data" only when no epic had a story yet. */
export function burndownChart(flow: FlowResponse): FlowChart {
  const first = flow.burndown[0]?.points ?? flow.cfd;
  return {
    x: first.map((b) => Date.parse(b.start)),
    series: flow.burndown.map((e, i) => ({ id: e.epic, label: e.epic, colorVar: ALL_VARS[i % ALL_VARS.length]!, values: e.points.map((p) => p.remaining) })),
    unavailable: noData(
      first.map((b, i) => ({ start: b.start, end: b.end, i })),
      (b) => flow.burndown.every((e) => (e.points[b.i]?.remaining ?? null) === null),
    ),
    buckets: first.map(({ start, end }) => ({ start, end })),
  };
}

/** Stories that reached done per week. */
export function throughputChart(flow: FlowResponse): FlowChart {
  return {
    x: flow.throughput.map((w) => Date.parse(w.start)),
    series: [{ id: 'done', label: 'Stories done', colorVar: '--chart-3', values: flow.throughput.map((w) => w.done) }],
    unavailable: noData(flow.throughput, (w) => w.done === null),
    buckets: flow.throughput.map(({ start, end }) => ({ start, end })),
  };
}

/** Cycle time (first in progress → done) of the week's completions: median, 85th and 95th percentile, in hours. */
export function cycleTimeChart(flow: FlowResponse): FlowChart {
  const pick = (k: 'p50' | 'p85' | 'p95') => flow.throughput.map((w) => w.cycleTimeHours?.[k] ?? null);
  return {
    x: flow.throughput.map((w) => Date.parse(w.start)),
    series: [
      { id: 'p50', label: 'p50 (median)', colorVar: '--chart-1', values: pick('p50') },
      { id: 'p85', label: 'p85', colorVar: '--chart-2', values: pick('p85') },
      { id: 'p95', label: 'p95', colorVar: '--chart-6', values: pick('p95') },
    ],
    unavailable: noData(flow.throughput, (w) => w.done === null),
    buckets: flow.throughput.map(({ start, end }) => ({ start, end })),
  };
}
