import { useEffect, useRef, useState } from 'react';

/** One bar: a known amount, or a period whose amount is not known (drawn as a hatched band, never as zero). */
export type ChartBucket = { start: string; label: string; status: 'available'; amount: number } | { start: string; label: string; status: 'unavailable'; reason: string };

const HEIGHT = 180;
const PAD = { top: 8, right: 8, bottom: 22, left: 48 };

function useWidth<T extends HTMLElement>(): [React.RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    setWidth(el.clientWidth);
    const ro = new ResizeObserver((entries) => setWidth(Math.floor(entries[0]?.contentRect.width ?? el.clientWidth)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

const hatchId = (currency: string, reason: string) => `hatch-${currency}-${reason === 'unpriced_events' ? 'unpriced' : 'none'}`;

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/**
 * A small SVG bar chart sized by its container (ResizeObserver): no chart library, so it costs a few hundred bytes.
 * Colours come from the theme's CSS variables through Tailwind classes, so light and dark follow data-theme.
 */
export default function CostBarChart({
  buckets,
  currency,
  format,
  reasonLabel = (r) => r,
}: {
  buckets: ChartBucket[];
  currency: string;
  format: (n: number) => string;
  /** Words for an unavailable bucket's reason code. */
  reasonLabel?: (reason: string) => string;
}) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const [hover, setHover] = useState<number | null>(null);
  const max = niceMax(Math.max(0, ...buckets.map((b) => (b.status === 'available' ? b.amount : 0))));
  const plotW = Math.max(0, width - PAD.left - PAD.right);
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const step = buckets.length > 0 ? plotW / buckets.length : 0;
  const barW = Math.max(1, step * 0.7);
  const reasons = [...new Set(buckets.flatMap((b) => (b.status === 'unavailable' ? [b.reason] : [])))];
  const labelEvery = Math.max(1, Math.ceil(buckets.length / Math.max(1, Math.floor(plotW / 56))));
  const shown = hover !== null ? buckets[hover] : undefined;
  const unavailableCount = buckets.length - buckets.filter((b) => b.status === 'available').length;
  return (
    <figure data-testid="cost-chart" data-currency={currency} data-buckets={buckets.length} data-unavailable-buckets={unavailableCount} className="min-w-0">
      <div ref={ref} className="relative w-full min-w-0" style={{ height: HEIGHT }}>
        {width > 0 && (
          <svg width={width} height={HEIGHT} role="img" aria-label={`Cost per period in ${currency}: ${buckets.length} periods, ${unavailableCount} without data`} className="block">
            <defs>
              {/* One hatch per reason (opposite slants), so "no source" and "only unpriced" read apart, and neither as 0. */}
              {['no_cost_source', 'unpriced_events'].map((r, k) => (
                <pattern key={r} id={hatchId(currency, r)} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform={`rotate(${k === 0 ? 45 : -45})`}>
                  <rect width="6" height="6" className="fill-surface-2" />
                  <line x1="0" y1="0" x2="0" y2="6" strokeWidth="2" className="stroke-muted" strokeOpacity="0.5" />
                </pattern>
              ))}
            </defs>
            {/* No known amount at all: no value axis, so nothing on screen reads as a 0. */}
            {unavailableCount < buckets.length &&
              [0, 0.5, 1].map((f) => (
              <g key={f}>
                <line x1={PAD.left} x2={PAD.left + plotW} y1={PAD.top + plotH * (1 - f)} y2={PAD.top + plotH * (1 - f)} className="stroke-border" />
                <text x={PAD.left - 4} y={PAD.top + plotH * (1 - f) + 4} textAnchor="end" className="fill-muted text-[10px]">
                  {format(max * f)}
                </text>
              </g>
              ))}
            {buckets.map((b, i) => {
              const x = PAD.left + i * step;
              const common = {
                'data-testid': 'cost-bucket',
                'data-status': b.status,
                onMouseEnter: () => setHover(i),
                onMouseLeave: () => setHover(null),
              };
              if (b.status === 'unavailable')
                return (
                  <rect key={b.start} {...common} data-reason={b.reason} x={x} y={PAD.top} width={Math.max(1, step)} height={plotH} fill={`url(#${hatchId(currency, b.reason)})`}>
                    <title>{`${b.label}: no data (${reasonLabel(b.reason)})`}</title>
                  </rect>
                );
              const h = (b.amount / max) * plotH;
              return (
                <g key={b.start} {...common}>
                  <rect x={x} y={PAD.top} width={Math.max(1, step)} height={plotH} fill="transparent" />
                  <rect x={x + (step - barW) / 2} y={PAD.top + plotH - h} width={barW} height={h} className="fill-accent" />
                  <title>{`${b.label}: ${format(b.amount)}`}</title>
                </g>
              );
            })}
            {buckets.map((b, i) =>
              i % labelEvery === 0 ? (
                <text key={b.start} x={PAD.left + i * step + step / 2} y={HEIGHT - 6} textAnchor="middle" className="fill-muted text-[10px]">
                  {b.label}
                </text>
              ) : null,
            )}
          </svg>
        )}
      </div>
      <figcaption className="mt-1 flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-muted">
        <span className="flex items-center gap-1">
          <span aria-hidden="true" className="inline-block h-3 w-3 rounded-sm bg-accent" /> {currency}
        </span>
        {reasons.map((r) => (
          <span key={r} data-testid="chart-no-data-legend" data-reason={r} className="flex items-center gap-1">
            <svg aria-hidden="true" width="12" height="12">
              <rect width="12" height="12" fill={`url(#${hatchId(currency, r)})`} className="stroke-border" />
            </svg>
            no data: {reasonLabel(r)}
          </span>
        ))}
        <span aria-live="polite" className="min-h-4">
          {shown ? `${shown.label}: ${shown.status === 'available' ? format(shown.amount) : `no data (${reasonLabel(shown.reason)})`}` : ''}
        </span>
      </figcaption>
    </figure>
  );
}
