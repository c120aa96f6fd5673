import { describe, expect, it } from 'vitest';
import { encodeParts, groupByKey, KeyMap, KeySet } from '../../src/server/composite-key.js';
import { decodeDayKey, encodeDayKey, encodeMetricKey } from '../../src/server/modules/analytics/buckets.js';

describe('composite keys', () => {
  it('tells keys apart whatever their parts contain, and gives back the key values themselves', () => {
    const set = new KeySet<{ a: string; b: string }>((k) => encodeParts([k.a, k.b]));
    set.add({ a: 'x\ny', b: 'z' }).add({ a: 'x', b: 'y\nz' }).add({ a: 'x\ny', b: 'z' });
    expect(set.size).toBe(2);
    expect([...set]).toEqual([
      { a: 'x\ny', b: 'z' },
      { a: 'x', b: 'y\nz' },
    ]);
    expect(set.has({ a: 'x', b: 'y\nz' })).toBe(true);
  });

  it('encodes tuples whose parts look like the encoding itself to different strings', () => {
    const tuples = [['1:a'], ['', 'a'], ['1:a', ''], ['', '1:a'], ['a', ''], ['a'], ['1', 'a'], ['1:', 'a'], ['0:'], [''], [], ['', '']];
    expect(new Set(tuples.map(encodeParts)).size).toBe(tuples.length);
  });

  it('groups by a typed key in first-seen order', () => {
    const groups = groupByKey(
      [
        { s: 'a', n: 1 },
        { s: 'b', n: 2 },
        { s: 'a', n: 3 },
      ],
      (r) => ({ s: r.s }),
      (k) => k.s,
    );
    expect([...groups]).toEqual([
      [
        { s: 'a' },
        [
          { s: 'a', n: 1 },
          { s: 'a', n: 3 },
        ],
      ],
      [{ s: 'b' }, [{ s: 'b', n: 2 }]],
    ]);
    const map = new KeyMap<[string, number], string>((k) => encodeParts([k[0], String(k[1])]));
    expect(map.getOrInsert(['p', 1], () => 'first')).toBe('first');
    expect(map.getOrInsert(['p', 1], () => 'second')).toBe('first');
    expect(map.get(['p', 2])).toBeUndefined();
  });

  it('encodes metric keys injectively and keeps the stored form of pending days', () => {
    const k = { agentId: 'a', kpi: 'cost', unit: 'USD', granularity: 'day' as const, windowStart: '2026-01-01T00:00:00.000Z' };
    expect(encodeMetricKey(k)).not.toBe(encodeMetricKey({ ...k, agentId: 'a\ncost', kpi: '' }));
    const day = { kpi: 'cost', unit: 'USD', dayStart: '2026-01-01T00:00:00.000Z' };
    expect(encodeDayKey(day)).toBe('cost\nUSD\n2026-01-01T00:00:00.000Z');
    expect(decodeDayKey(encodeDayKey(day))).toEqual(day);
    expect(() => decodeDayKey('cost\nUSD')).toThrow(/not a pending day key/);
  });
});
