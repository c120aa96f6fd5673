import { DAY_MS, type ProjectBudget } from '../../../contracts/index.js';
import type { Clock } from '../../clock.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { budgetsRepository, type ActiveBudget } from './budgets.repository.js';
import { CostReader } from './cost-reader.js';
import { availabilityOf, round, totalsOf } from './cost-totals.js';
import { costsRepository, type CostAggregate } from './costs.repository.js';

/** The UTC calendar month an instant falls in: [start, end) in ms, and its YYYY-MM label. */
export function utcMonthOf(ms: number): { month: string; start: number; end: number } {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  return { month: `${String(y).padStart(4, '0')}-${String(m + 1).padStart(2, '0')}`, start: Date.UTC(y, m, 1), end: Date.UTC(y, m + 1, 1) };
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Month-to-date spend of each project against its monthly budget, for the UTC calendar month of the clock's now.
 * Spend follows the summary's coverage rules (cost-totals.ts): with no cost source, or only unpriced records, it is
 * unknown (null), never 0. The projection extrapolates the month's average burn rate so far (spent / elapsed).
 */
export class BudgetsService {
  private readonly reader: CostReader;

  constructor(
    private readonly db: DatabaseHandle,
    private readonly clock: Clock,
    reader?: CostReader,
  ) {
    this.reader = reader ?? new CostReader(db);
  }

  /** The budget of one project (or of every project that has one), this month, by project id. */
  async forScope(projectId?: string): Promise<ProjectBudget[]> {
    const budgets = await budgetsRepository.active(this.db.read, projectId);
    if (budgets.length === 0) return [];
    const now = this.clock.now().getTime();
    const month = utcMonthOf(now);
    // One grouped read gives every project's month-to-date totals; only a budget already exceeded needs its hours.
    const rows = now > month.start ? await this.reader.aggregate({ start: iso(month.start), end: iso(now), projectId }, 'project') : [];
    const out: ProjectBudget[] = [];
    for (const b of budgets)
      out.push(
        await this.status(
          b,
          now,
          month,
          rows.filter((r) => r.key === b.projectId),
        ),
      );
    return out;
  }

  private async status(b: ActiveBudget, now: number, month: ReturnType<typeof utcMonthOf>, rows: readonly CostAggregate[]): Promise<ProjectBudget> {
    const base = { projectId: b.projectId, month: month.month, monthStart: iso(month.start), monthEnd: iso(month.end), amount: b.amount, currency: b.currency };
    const { totals, unpricedEvents } = totalsOf(rows);
    const known = await costsRepository.anySourceBefore(this.db.read, iso(now), b.projectId);
    const availability = availabilityOf(known, totals, unpricedEvents);
    if (availability.availability === 'unavailable') {
      // Unknown spend has an unknown status: availability says why.
      return { ...base, ...availability, spent: null, spentPct: null, exceededAt: null, projectedExceedAt: null, status: 'unknown' };
    }
    const spent = totals.find((t) => t.currency === b.currency)?.amount ?? 0;
    const spentPct = round((spent / b.amount) * 100);
    if (spent >= b.amount) {
      const exceededAt = await this.crossing(b, month.start, now);
      return { ...base, ...availability, spent, spentPct, exceededAt, projectedExceedAt: null, status: 'exceeded' };
    }
    // At the month's average rate so far, spend reaches the budget after elapsed * amount / spent.
    const elapsed = now - month.start;
    const projected = spent > 0 ? month.start + Math.ceil((elapsed * b.amount) / spent) : Infinity;
    const atRisk = projected < month.end;
    return {
      ...base,
      ...availability,
      spent,
      spentPct,
      exceededAt: null,
      projectedExceedAt: atRisk ? iso(projected) : null,
      status: atRisk ? 'at_risk' : 'on_track',
    };
  }

  /**
   * When cumulative spend this month first reached the budget, narrowing down instead of walking every record: the
   * whole UTC day it crossed in (daily rollup), then the hour (hourly rollup) or, in today's partial day, the hour or
   * minute (edge read raw), then that slot's records in time order.
   */
  private async crossing(b: ActiveBudget, monthStart: number, now: number): Promise<string | null> {
    const today = Math.max(monthStart, Math.floor(now / DAY_MS) * DAY_MS);
    let cumulative = 0;
    if (today > monthStart) {
      const days = await costsRepository.perDayRollup(this.db.read, { start: iso(monthStart), end: iso(today), projectId: b.projectId });
      for (const d of days.filter((x) => x.currency === b.currency && x.priced > 0).sort((x, y) => x.slot.localeCompare(y.slot))) {
        const dayStart = Date.parse(`${d.slot}T00:00:00.000Z`);
        if (round(cumulative + d.amount) >= b.amount) return this.crossingWithin(b, dayStart, dayStart + DAY_MS, cumulative);
        cumulative += d.amount;
      }
    }
    return this.crossingWithin(b, today, now, cumulative);
  }

  private async crossingWithin(b: ActiveBudget, start: number, end: number, before: number): Promise<string | null> {
    if (start >= end) return null;
    let cumulative = before;
    const slots = await this.reader.perSlot({ start: iso(start), end: iso(end), projectId: b.projectId }, []);
    for (const s of slots.filter((x) => x.currency === b.currency && x.priced > 0).sort((x, y) => x.slotStart - y.slotStart)) {
      if (round(cumulative + s.amount) < b.amount) {
        cumulative += s.amount;
        continue;
      }
      const records = await costsRepository.amountsIn(
        this.db.read,
        { start: iso(s.slotStart), end: iso(Math.min(end, s.slotEnd)), projectId: b.projectId },
        b.currency,
      );
      for (const r of records) {
        cumulative += r.amount;
        if (round(cumulative) >= b.amount) return r.occurredAt;
      }
      // Only float residue between the rollup's sum and the records' can get here: the slot is the answer's bound.
      return iso(s.slotStart);
    }
    return null;
  }
}
