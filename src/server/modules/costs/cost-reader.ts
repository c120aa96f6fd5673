import { VersionedCache } from '../../versioned-cache.js';
import { DAY_MS } from '../../../contracts/index.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { planHours, splitAt, withoutHours, type Interval } from './cost-rollup.js';
import { costsRepository, type CostAggregate, type CostGroupBy, type CostRange } from './costs.repository.js';
import { costDimensionRollupsRepository } from './cost-dimension-rollups.repository.js';
import type { CostDimension } from './cost-dimension-rollup.js';

export interface SlotAggregate extends CostAggregate {
  /** Start of the UTC hour or minute the row sums up, ms since the epoch. */
  slotStart: number;
  /** Its end (exclusive): an hour or a minute later. */
  slotEnd: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Past this many runs of whole hours (a series in hours), perBucketPart reads the hours one by one. */
const MAX_HOUR_PARTS = 100;

/** Breakdown parts kept per reader: a few windows (24h, 7d, 30d, their edges) per dimension and project scope in use. */
const CACHE_ENTRIES = 256;

/**
 * Cost aggregates over any [start, end): whole UTC days from the daily rollups (per project for totals and the
 * per-project breakdown, per dimension for the others), whole UTC hours from the hourly rollups (quarter hours where a
 * zone's bucket boundary cuts an hour), and only the partial hours at the ends (and hours cut off the quarter grid)
 * from cost_events. With `rollup: false` everything is read from cost_events: the reference the property tests and the
 * query bench compare against.
 */
export class CostReader {
  private readonly parts: VersionedCache<readonly CostAggregate[]>;

  constructor(
    private readonly db: DatabaseHandle,
    /** `cache: false` reads every part from the tables (the consistency monitor checks the tables, not memory). */
    private readonly opts: { rollup: boolean; cache?: boolean } = { rollup: true },
  ) {
    this.parts = new VersionedCache(CACHE_ENTRIES, opts.cache !== false);
  }

  /** Totals per currency (and group key), as costsRepository.aggregate() would give over the whole range. */
  async aggregate(range: CostRange, groupBy?: CostGroupBy): Promise<CostAggregate[]> {
    if (!this.opts.rollup) return costsRepository.aggregate(this.db.read, range, groupBy);
    if (groupBy !== undefined && groupBy !== 'project') return this.aggregateDimension(range, groupBy);
    const start = Date.parse(range.start);
    const end = Date.parse(range.end);
    const firstDay = Math.ceil(start / DAY_MS) * DAY_MS;
    const lastDay = Math.floor(end / DAY_MS) * DAY_MS;
    if (firstDay < lastDay) {
      // Whole UTC days from the daily rollup; the partial days around them by hours (and their partial hours raw).
      const rows = await costsRepository.aggregateDailyRollup(this.db.read, { start: iso(firstDay), end: iso(lastDay), projectId: range.projectId }, groupBy);
      if (start < firstDay) rows.push(...(await this.aggregateByHours({ start: range.start, end: iso(firstDay), projectId: range.projectId }, groupBy)));
      if (lastDay < end) rows.push(...(await this.aggregateByHours({ start: iso(lastDay), end: range.end, projectId: range.projectId }, groupBy)));
      return rows;
    }
    return this.aggregateByHours(range, groupBy);
  }

  /**
   * A breakdown by agent, model, story or BMAD workflow: whole UTC days from the per-dimension daily rollup, the hours
   * around them from the hourly one, the partial hours at the ends from cost_events. Rows for one key may come from
   * several parts: every consumer sums them (totalsOf).
   */
  private async aggregateDimension(range: CostRange, dim: CostDimension): Promise<CostAggregate[]> {
    const start = Date.parse(range.start);
    const end = Date.parse(range.end);
    const firstDay = Math.ceil(start / DAY_MS) * DAY_MS;
    const lastDay = Math.floor(end / DAY_MS) * DAY_MS;
    const projectId = range.projectId;
    const rows: CostAggregate[] = [];
    const byHours = async (s: number, e: number) => {
      const plan = planHours(s, e);
      if (plan.rollup) rows.push(...(await this.cached({ start: iso(plan.rollup.start), end: iso(plan.rollup.end), projectId }, dim, 'hourly')));
      for (const r of plan.raw) rows.push(...(await costsRepository.aggregate(this.db.read, { start: iso(r.start), end: iso(r.end), projectId }, dim)));
    };
    if (firstDay < lastDay) {
      rows.push(...(await this.cached({ start: iso(firstDay), end: iso(lastDay), projectId }, dim, 'daily')));
      if (start < firstDay) await byHours(start, firstDay);
      if (lastDay < end) await byHours(lastDay, end);
    } else await byHours(start, end);
    return rows;
  }

  /**
   * A dimension's totals over whole UTC days or hours, reused while the version counters of the days they lie in stay
   * the same: the counters are raised in the transaction that changes those days' rows, so an unchanged list means
   * unchanged rows (past days rarely change; today's counter moves with every cost batch, so today is recomputed). The
   * counters are read first, so a commit in between can only make an entry look older than it is, never newer.
   */
  private async cached(range: CostRange, dim: CostDimension, unit: 'daily' | 'hourly'): Promise<readonly CostAggregate[]> {
    const key = `${unit}\n${dim}\n${range.projectId ?? ''}\n${range.start}\n${range.end}`;
    const daysStart = iso(Math.floor(Date.parse(range.start) / DAY_MS) * DAY_MS);
    const daysEnd = iso(Math.ceil(Date.parse(range.end) / DAY_MS) * DAY_MS);
    const versions = await costDimensionRollupsRepository.dayVersions(this.db.read, daysStart, daysEnd);
    return this.parts.get(key, versions, () => costDimensionRollupsRepository.aggregate(this.db.read, range, dim, unit));
  }

  private async aggregateByHours(range: CostRange, groupBy?: 'project'): Promise<CostAggregate[]> {
    const plan = planHours(Date.parse(range.start), Date.parse(range.end));
    // Rows for the same key and currency may come from several parts: every consumer sums them (totalsOf).
    const rows: CostAggregate[] = [];
    if (plan.rollup)
      rows.push(
        ...(await costsRepository.aggregateRollup(
          this.db.read,
          { start: iso(plan.rollup.start), end: iso(plan.rollup.end), projectId: range.projectId },
          groupBy,
        )),
      );
    for (const r of plan.raw)
      rows.push(...(await costsRepository.aggregate(this.db.read, { start: iso(r.start), end: iso(r.end), projectId: range.projectId }, groupBy)));
    return rows;
  }

  /**
   * Per UTC slot and currency: hours where no `cuts` instant (a bucket boundary) falls inside, quarter hours where the
   * cuts fall on quarters, minutes elsewhere, so every row lies within exactly one bucket (apart from a slot clipped by
   * the range start, which callers clamp).
   */
  async perSlot(range: CostRange, cuts: readonly number[]): Promise<SlotAggregate[]> {
    const start = Date.parse(range.start);
    const end = Date.parse(range.end);
    const slotOf = (slot: string) => {
      const hour = slot.length === 13;
      const slotStart = Date.parse(hour ? `${slot}:00:00.000Z` : `${slot}:00.000Z`);
      return { slotStart, slotEnd: slotStart + (hour ? 3_600_000 : 60_000) };
    };
    if (!this.opts.rollup) {
      const hourly = [start, end, ...cuts].every((t) => t % 3_600_000 === 0);
      const rows = await costsRepository.perSlot(this.db.read, [range], range.projectId, hourly ? 13 : 16);
      return rows.map((r) => ({ ...r, ...slotOf(r.slot) }));
    }
    const plan = planHours(start, end, cuts);
    const out: SlotAggregate[] = [];
    // Hourly buckets in a half-hour zone cut every hour: then the hourly rollup has nothing to offer.
    if (plan.rollup && plan.splitHours.size < (plan.rollup.end - plan.rollup.start) / 3_600_000) {
      const span = { start: iso(plan.rollup.start), end: iso(plan.rollup.end) };
      const hours =
        range.projectId === undefined
          ? await costDimensionRollupsRepository.perHourTotal(this.db.read, span)
          : await costsRepository.perHourRollup(this.db.read, { ...span, projectId: range.projectId });
      for (const r of hours) {
        const slot = slotOf(r.slot);
        if (!plan.splitHours.has(slot.slotStart)) out.push({ ...r, ...slot });
      }
    }
    if (plan.quarters.length > 0)
      out.push(
        ...(await costDimensionRollupsRepository.perQuarter(
          this.db.read,
          plan.quarters.map((q) => ({ start: iso(q.start), end: iso(q.end) })),
          range.projectId,
        )),
      );
    out.push(...(await this.perMinute(plan.raw, range.projectId)));
    return out;
  }

  /** Per UTC minute and currency from cost_events over the given intervals: where no rollup can say which bucket. */
  private async perMinute(intervals: readonly Interval[], projectId: string | undefined): Promise<SlotAggregate[]> {
    if (intervals.length === 0) return [];
    const rows = await costsRepository.perSlot(
      this.db.read,
      intervals.map((r) => ({ start: iso(r.start), end: iso(r.end) })),
      projectId,
      16,
    );
    return rows.map((r) => {
      const slotStart = Date.parse(`${r.slot}:00.000Z`);
      return { ...r, slotStart, slotEnd: slotStart + 60_000 };
    });
  }

  /**
   * Per bucket part and currency: like perSlot, but whatever lies between two cuts comes back summed, one row per
   * such part (its slotStart and slotEnd are the part's): whole hours from the hourly rollup, quarters from the quarter
   * rollup, the rest (partial hours at the range's ends, hours cut off the quarter grid) from cost_events. A 30-day
   * series in days reads about 30 rows per currency instead of 720 hours and the minutes around them. Every row lies
   * within exactly one bucket, as perSlot's do.
   */
  async perBucketPart(range: CostRange, cuts: readonly number[]): Promise<SlotAggregate[]> {
    if (!this.opts.rollup) return this.perSlot(range, cuts);
    const plan = planHours(Date.parse(range.start), Date.parse(range.end), cuts);
    const out: SlotAggregate[] = [];
    const read = async (unit: 'hour' | 'quarter' | 'raw', parts: readonly Interval[]) => {
      if (parts.length === 0) return;
      const spans = parts.map((p) => ({ start: iso(p.start), end: iso(p.end) }));
      const rows =
        unit === 'raw'
          ? await costsRepository.sumsPerInterval(this.db.read, spans, range.projectId)
          : await costDimensionRollupsRepository.sumsPerInterval(this.db.read, unit, spans, range.projectId);
      for (const { i, ...r } of rows) out.push({ ...r, slotStart: parts[i]!.start, slotEnd: parts[i]!.end });
    };
    const hours = plan.rollup ? splitAt(withoutHours(plan.rollup, plan.splitHours), cuts) : [];
    // Hour buckets over weeks leave nothing to sum: a part per hour is then slower than perSlot's one range read.
    if (hours.length > MAX_HOUR_PARTS) return this.perSlot(range, cuts);
    await read('hour', hours);
    await read('quarter', splitAt(plan.quarters, cuts));
    await read('raw', splitAt(plan.raw, cuts));
    return out;
  }
}
