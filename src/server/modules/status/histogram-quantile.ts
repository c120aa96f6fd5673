/**
 * A Prometheus histogram as read from the registry: cumulative counts per upper bound, ascending, the last bound
 * being +Infinity (so the last count is the total).
 */
export interface Buckets {
  bounds: readonly number[];
  cumulative: readonly number[];
}

/** What was observed between two readings of the same histogram (bucket by bucket). */
export function bucketDelta(now: Buckets, before: Buckets | undefined): Buckets {
  if (!before) return now;
  return { bounds: now.bounds, cumulative: now.cumulative.map((c, i) => c - (before.cumulative[i] ?? 0)) };
}

/**
 * The q-quantile the way Prometheus' histogram_quantile() computes it: find the bucket holding rank q × total and
 * interpolate linearly inside it (the first bucket starts at 0). A rank in the +Inf bucket answers the highest finite
 * bound, a floor, since nothing more is known. An approximation whose error is the bucket's width: the page says so.
 * Null when nothing was observed: no data, never 0.
 */
export function histogramQuantile(q: number, h: Buckets): number | null {
  const n = h.cumulative.length;
  const total = h.cumulative[n - 1] ?? 0;
  if (n === 0 || total <= 0) return null;
  const rank = q * total;
  let i = h.cumulative.findIndex((c) => c >= rank);
  if (i < 0) i = n - 1;
  const upper = h.bounds[i]!;
  if (!Number.isFinite(upper)) return n >= 2 ? h.bounds[n - 2]! : null;
  const lower = i === 0 ? 0 : h.bounds[i - 1]!;
  const below = i === 0 ? 0 : h.cumulative[i - 1]!;
  const inBucket = h.cumulative[i]! - below;
  if (inBucket <= 0) return upper;
  return lower + (upper - lower) * ((rank - below) / inBucket);
}
