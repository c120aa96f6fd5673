import type uPlot from 'uplot';
import type { ChartTheme } from './chart-theme.js';
import type { UnavailableRange } from './time-series.js';

/**
 * Canvas drawing that uPlot does not do itself: hatched bands for buckets whose value is unknown (so they never read
 * as zero, nor as an empty slot that could be a zero bar) and a flat mark for a real zero bar (a bar of height 0 would
 * otherwise be invisible, i.e. look like missing data).
 */

/** One diagonal hatch tile per reason; the slant alternates so two reasons side by side read apart. */
function hatch(ctx: CanvasRenderingContext2D, theme: ChartTheme, slant: 1 | -1, px: number): CanvasPattern | string {
  const size = Math.max(4, Math.round(8 * px));
  const tile = document.createElement('canvas');
  tile.width = tile.height = size;
  const g = tile.getContext('2d');
  if (!g) return theme.surface2;
  g.fillStyle = theme.surface2;
  g.fillRect(0, 0, size, size);
  g.strokeStyle = theme.muted;
  g.globalAlpha = 0.6;
  g.lineWidth = 1.25 * px;
  g.beginPath();
  // The main diagonal plus the two corner pieces, so the tile repeats without seams.
  for (const o of [-size, 0, size]) {
    if (slant === 1) {
      g.moveTo(o, size);
      g.lineTo(o + size, 0);
    } else {
      g.moveTo(o, 0);
      g.lineTo(o + size, size);
    }
  }
  g.stroke();
  return ctx.createPattern(tile, 'repeat') ?? theme.surface2;
}

/** The first and last bucket index inside a range, or null when the range covers none. */
function span(x: readonly number[], r: UnavailableRange): [number, number] | null {
  let first = -1;
  let last = -1;
  x.forEach((v, i) => {
    if (v >= r.from && v < r.to) {
      if (first < 0) first = i;
      last = i;
    }
  });
  return first < 0 ? null : [first, last];
}

export function makeBandPainter(x: readonly number[], ranges: readonly UnavailableRange[], reasons: readonly string[], theme: ChartTheme) {
  const patterns = new Map<string, CanvasPattern | string>();
  const spans = ranges.flatMap((r) => {
    const s = span(x, r);
    return s ? [{ r, s }] : [];
  });

  const clip = (u: uPlot, draw: () => void) => {
    const { ctx, bbox } = u;
    ctx.save();
    ctx.beginPath();
    ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
    ctx.clip();
    draw();
    ctx.restore();
  };
  const edges = (u: uPlot, [a, b]: [number, number]) => [u.valToPos(a - 0.5, 'x', true), u.valToPos(b + 0.5, 'x', true)] as const;

  return {
    /** Under the grid and the series (drawClear hook). */
    bands(u: uPlot) {
      if (spans.length === 0) return;
      const px = devicePixelRatio || 1;
      clip(u, () => {
        for (const { r, s } of spans) {
          let fill = patterns.get(r.reason);
          if (!fill) patterns.set(r.reason, (fill = hatch(u.ctx, theme, reasons.indexOf(r.reason) % 2 === 0 ? 1 : -1, px)));
          const [x0, x1] = edges(u, s);
          u.ctx.fillStyle = fill;
          u.ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height);
        }
      });
    },
    /** "no data" written on bands wide enough to hold it (draw hook, on top of everything). */
    labels(u: uPlot) {
      if (spans.length === 0) return;
      const px = devicePixelRatio || 1;
      clip(u, () => {
        const { ctx } = u;
        ctx.font = `${Math.round(11 * px)}px system-ui, sans-serif`;
        ctx.textAlign = 'center';
        ctx.textBaseline = 'middle';
        const text = 'no data';
        const w = ctx.measureText(text).width;
        for (const { s } of spans) {
          const [x0, x1] = edges(u, s);
          if (x1 - x0 < w + 12 * px) continue;
          const cx = (x0 + x1) / 2;
          const cy = u.bbox.top + 12 * px;
          ctx.fillStyle = theme.surface;
          ctx.fillRect(cx - w / 2 - 4 * px, cy - 8 * px, w + 8 * px, 16 * px);
          ctx.fillStyle = theme.fg;
          ctx.fillText(text, cx, cy);
        }
      });
    },
  };
}

/** A 2-px bar at the baseline for every real zero in bar series, in the series colour. */
export function drawZeroBars(u: uPlot, colors: readonly string[]) {
  const px = devicePixelRatio || 1;
  const slot = Math.abs(u.valToPos(1, 'x', true) - u.valToPos(0, 'x', true));
  const half = Math.max(1 * px, Math.min(slot * 0.35, 30 * px));
  const y = u.valToPos(0, 'y', true);
  for (let si = 1; si < u.data.length; si++) {
    const values = u.data[si] ?? [];
    u.ctx.fillStyle = colors[si - 1] ?? '#888';
    values.forEach((v, i) => {
      if (v === 0) u.ctx.fillRect(u.valToPos(i, 'x', true) - half, y - 2 * px, 2 * half, 2 * px);
    });
  }
}
