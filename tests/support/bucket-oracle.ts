import type { CostBucket } from '../../src/contracts/index.js';
import { bucketStart, nextBoundary } from '../../src/server/modules/costs/time-buckets.js';

/** The buckets of makeBuckets one boundary at a time through Intl: the reference its fast path is tested against. */
export function makeBucketsStepwise(tz: string, bucket: CostBucket, start: number, end: number): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let b = bucketStart(tz, bucket, start);
  while (b < end) {
    const next = nextBoundary(tz, bucket, b);
    out.push({ start: Math.max(b, start), end: Math.min(next, end) });
    b = next;
  }
  return out;
}
