import { describe, expect, it } from 'vitest';
import { sampleOf } from '../../src/server/modules/consistency/monitor/consistency-monitor.js';

describe('the sample of findings a consistency run keeps', () => {
  it('keeps the first of every kind, even after a hundred of another, in their order, and no more than 100', () => {
    const rows = Array.from({ length: 150 }, (_, i) => ({ kind: 'projection_mismatch', n: i }));
    const sample = sampleOf([...rows, { kind: 'cross_view_mismatch', n: 150 }, { kind: 'cross_view_mismatch', n: 151 }]);
    expect(sample).toHaveLength(100);
    expect(sample.at(-1)).toEqual({ kind: 'cross_view_mismatch', n: 150 });
    expect(sample.slice(0, 99).map((f) => f.n)).toEqual(Array.from({ length: 99 }, (_, i) => i));
  });
});
