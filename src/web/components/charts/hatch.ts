import type { CSSProperties } from 'react';

/**
 * The hatch that marks "no data", in CSS (legend swatches, tooltips, budget tracks), matching the canvas bands of
 * chart-drawing.ts; var() keeps it on theme without a redraw. Odd and even reasons slant opposite ways.
 */
export const hatchStyle = (slantIndex: number): CSSProperties => ({
  backgroundImage: `repeating-linear-gradient(${slantIndex % 2 === 0 ? -45 : 45}deg, var(--muted) 0 1px, var(--surface-2) 1px 4px)`,
});
