import { DAY_MS, FLOW_SOURCE_KINDS, type FlowSourcesQuery, isKnownTimeZone } from '../../../../contracts/index.js';
import { browserTimeZone } from '../../../components/TimeZoneSelect.js';

export const FLOW_RANGES = ['all', '30d', '90d'] as const;
export type FlowRange = (typeof FLOW_RANGES)[number];
export const RANGE_LABEL: Record<FlowRange, string> = { all: 'All recorded history', '30d': 'Last 30 days', '90d': 'Last 90 days' };

/** The project page's flow view, read from (and written to) the URL like every other page's filters. */
export interface FlowView {
  bucket: 'day' | 'week';
  tz: string;
  range: FlowRange;
  /** The point whose sources the drawer shows, if open. */
  sources: FlowSourcesQuery | undefined;
}

export function flowViewFrom(params: URLSearchParams): FlowView {
  const b = params.get('bucket');
  const r = params.get('range');
  const tz = params.get('tz');
  const kind = params.get('sources');
  const from = params.get('from');
  const to = params.get('to');
  const sources: FlowSourcesQuery | undefined =
    kind && (FLOW_SOURCE_KINDS as readonly string[]).includes(kind) && from && to
      ? { kind: kind as FlowSourcesQuery['kind'], start: from, end: to, column: params.get('column') ?? undefined, epic: params.get('epic') ?? undefined }
      : undefined;
  return {
    bucket: b === 'week' ? 'week' : 'day',
    // An unknown zone in a hand-edited link falls back to the browser's rather than breaking the page.
    tz: tz && isKnownTimeZone(tz) ? tz : browserTimeZone(),
    range: (FLOW_RANGES as readonly string[]).includes(r ?? '') ? (r as FlowRange) : 'all',
    sources,
  };
}

/** The URL change that opens the drawer on a point (or closes it). */
export const sourcesPatch = (q: FlowSourcesQuery | undefined): Record<string, string | undefined> => ({
  sources: q?.kind,
  from: q?.start,
  to: q?.end,
  column: q?.column,
  epic: q?.epic,
});

/** Where a preset range starts: whole UTC days back from today, so the query stays the same all day. "all" leaves it to the server. */
export function rangeStart(range: FlowRange, now: number): string | undefined {
  if (range === 'all') return undefined;
  const days = range === '30d' ? 30 : 90;
  return new Date(Math.floor(now / DAY_MS) * DAY_MS - days * DAY_MS).toISOString();
}
