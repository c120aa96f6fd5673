/** Median of a non-empty list (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface RobustBaseline {
  median: number;
  /** Median absolute deviation from the median. */
  mad: number;
  size: number;
}

export function baselineOf(values: readonly number[]): RobustBaseline {
  const m = median(values);
  return { median: m, mad: median(values.map((v) => Math.abs(v - m))), size: values.length };
}

/**
 * Iglewicz and Hoaglin's modified z-score, 0.6745·(x − median)/MAD. When more than half the baseline is identical the
 * MAD is 0: then the mean absolute deviation stands in, scaled by 1.2533 so both estimate the same sigma (the usual
 * fallback). When that is 0 too, every baseline value is the same and nothing can be scored: null.
 */
export function modifiedZ(x: number, values: readonly number[], b: RobustBaseline = baselineOf(values)): number | null {
  if (b.mad > 0) return (0.6745 * (x - b.median)) / b.mad;
  const meanAd = values.reduce((s, v) => s + Math.abs(v - b.median), 0) / values.length;
  if (meanAd > 0) return (x - b.median) / (1.253314 * meanAd);
  return null;
}
