import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeBuckets } from '../../src/server/modules/costs/time-buckets.js';
import { makeBucketsStepwise } from '../support/bucket-oracle.js';

/**
 * makeBuckets takes 24 one-hour steps at a time where a zone's offset is the same a day later; it must give exactly
 * the buckets of the one-boundary-at-a-time Intl walk, across DST changes, half- and quarter-hour zones and Lord Howe's
 * half-hour DST.
 */
const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'America/Santiago',
  'Asia/Tehran',
  'America/St_Johns',
];
const FROM = Date.UTC(2024, 0, 1);
const TO = Date.UTC(2028, 0, 1);

describe('costs: hourly buckets fast path', () => {
  it('equals the stepwise Intl walk for random ranges, zones and buckets', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: FROM, max: TO }),
        fc.integer({ min: 1, max: 45 * 86_400_000 }),
        fc.constantFrom(...ZONES),
        fc.constantFrom('hour' as const, 'day' as const),
        (start, span, tz, bucket) => {
          expect(makeBuckets(tz, bucket, start, start + span)).toEqual(makeBucketsStepwise(tz, bucket, start, start + span));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('around every 2026 DST change of Berlin, New York and Lord Howe', () => {
    const changes = [
      '2026-03-29T01:00:00Z',
      '2026-10-25T01:00:00Z',
      '2026-03-08T07:00:00Z',
      '2026-11-01T06:00:00Z',
      '2026-04-04T15:00:00Z',
      '2026-10-03T15:30:00Z',
    ];
    for (const at of changes) {
      for (const tz of ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe']) {
        const start = Date.parse(at) - 3 * 86_400_000 + 1234;
        expect(makeBuckets(tz, 'hour', start, start + 6 * 86_400_000)).toEqual(makeBucketsStepwise(tz, 'hour', start, start + 6 * 86_400_000));
      }
    }
  });
});
