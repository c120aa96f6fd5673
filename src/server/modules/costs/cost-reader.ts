import { DAY_MS } from '../../../contracts/index.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { planHours } from './cost-rollup.js';
import { costsRepository, type CostAggregate, type CostGroupBy, type CostRange } from './costs.repository.js';

export interface SlotAggregate extends CostAggregate {
  /** Start of the UTC hour or minute the row sums up, ms since the epoch. */
  slotStart: number;
  /** Its end (exclusive): an hour or a minute later. */
  slotEnd: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Cost aggregates over any [start, end): whole UTC days from the daily per-project rollup (totals and per-project
 * breakdowns), whole UTC hours from the hourly rollups, the partial hours around them (and hours a bucket boundary
 * cuts) from cost_events. With `rollup: false` everything is read from cost_events: the reference the property tests
 * and the query bench compare against.
 */
export class CostReader {
  constructor(
    private readonly db: DatabaseHandle,
    private readonly opts: { rollup: boolean } = { rollup: true },
  ) {}

  /** Totals per currency (and group key), as costsRepository.aggregate() would give over the whole range. */
  async aggregate(range: CostRange, groupBy?: CostGroupBy): Promise<CostAggregate[]> {
    // The rollups are not kept per workflow: a breakdown by workflow is read from cost_events (by its time index).
    if (!this.opts.rollup || groupBy === 'workflow') return costsRepository.aggregate(this.db.read, range, groupBy);
    const start = Date.parse(range.start);
    const end = Date.parse(range.end);
    const firstDay = Math.ceil(start / DAY_MS) * DAY_MS;
    const lastDay = Math.floor(end / DAY_MS) * DAY_MS;
    if ((groupBy === undefined || groupBy === 'project') && firstDay < lastDay) {
      // Whole UTC days from the daily rollup; the partial days around them by hours (and their partial hours raw).
      const rows = await costsRepository.aggregateDailyRollup(this.db.read, { start: iso(firstDay), end: iso(lastDay), projectId: range.projectId }, groupBy);
      if (start < firstDay) rows.push(...(await this.aggregateByHours({ start: range.start, end: iso(firstDay), projectId: range.projectId }, groupBy)));
      if (lastDay < end) rows.push(...(await this.aggregateByHours({ start: iso(lastDay), end: range.end, projectId: range.projectId }, groupBy)));
      return rows;
    }
    return this.aggregateByHours(range, groupBy);
  }

  private async aggregateByHours(range: CostRange, groupBy?: Exclude<CostGroupBy, 'workflow'>): Promise<CostAggregate[]> {
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
   * Per UTC slot and currency: hours where no `cuts` instant (a bucket boundary) falls inside, minutes elsewhere, so
   * every row lies within exactly one bucket (apart from a slot clipped by the range start, which callers clamp).
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
    // Hourly buckets in a half-hour zone cut every hour: then the rollup has nothing to offer.
    if (plan.rollup && plan.splitHours.size < (plan.rollup.end - plan.rollup.start) / 3_600_000) {
      const hours = await costsRepository.perHourRollup(this.db.read, { start: iso(plan.rollup.start), end: iso(plan.rollup.end), projectId: range.projectId });
      for (const r of hours) {
        const slot = slotOf(r.slot);
        if (!plan.splitHours.has(slot.slotStart)) out.push({ ...r, ...slot });
      }
    }
    if (plan.raw.length > 0) {
      const raw = await costsRepository.perSlot(
        this.db.read,
        plan.raw.map((r) => ({ start: iso(r.start), end: iso(r.end) })),
        range.projectId,
        16,
      );
      for (const r of raw) out.push({ ...r, ...slotOf(r.slot) });
    }
    return out;
  }
}
