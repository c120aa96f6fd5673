import { describe, expect, it } from 'vitest';
import { baselineOf, median, modifiedZ } from '../../src/server/modules/analytics/robust-z.js';

describe('robust z-score (median and MAD)', () => {
  it('takes the median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('computes the modified z-score by hand', () => {
    // median 2.65; |x − median| = 0.65 0.45 0.15 0.15 0.35 17.35 → MAD 0.4
    const values = [2, 2.2, 2.5, 2.8, 3, 20];
    expect(baselineOf(values)).toEqual({ median: 2.65, mad: expect.closeTo(0.4, 12) as number, size: 6 });
    expect(modifiedZ(20, values)).toBeCloseTo((0.6745 * 17.35) / 0.4, 10);
    expect(modifiedZ(2, values)).toBeCloseTo((0.6745 * -0.65) / 0.4, 10);
  });

  it('falls back to the scaled mean absolute deviation when the MAD is 0', () => {
    // median 1, MAD 0, mean |x − 1| = 9/5 = 1.8 → z(10) = 9 / (1.253314 · 1.8)
    expect(modifiedZ(10, [1, 1, 1, 1, 10])).toBeCloseTo(9 / (1.253314 * 1.8), 10);
  });

  it('cannot score against a baseline without spread', () => {
    expect(modifiedZ(5, [2, 2, 2, 2, 2])).toBeNull();
  });
});
