import {
  COST_WINDOW_MS,
  type CostBucketValue,
  type CostSummary,
  type CostSummaryQuery,
  type CostTimeseries,
  type CostTimeseriesQuery,
} from '../../../contracts/index.js';
import type { Clock } from '../../clock.js';
import { StoryLabels } from '../stories/index.js';
import { epicsRepository } from '../epics/index.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { BudgetsService } from './budgets.service.js';
import { CostReader } from './cost-reader.js';
import { availabilityOf, round, totalsOf } from './cost-totals.js';
import { costsRepository, type CostAggregate, type CostRange } from './costs.repository.js';
import { makeBuckets } from './time-buckets.js';

/** The order localeCompare gives, without building a collator per comparison (2,000 story keys sort in ~1 ms). */
const collator = new Intl.Collator();

export class CostsService {
  private readonly reader: CostReader;
  private readonly budgets: BudgetsService;
  private readonly storyLabels: StoryLabels;

  /** `rollup: false` reads everything from cost_events: the reference for the rollup property test and the bench. */
  constructor(
    private readonly db: DatabaseHandle,
    private readonly clock: Clock,
    private readonly opts: { defaultCurrency: string; rollup?: boolean; cache?: boolean; budgets?: BudgetsService; priceTable?: { version: string } } = {
      defaultCurrency: 'USD',
    },
  ) {
    this.reader = new CostReader(db, { rollup: opts.rollup ?? true, cache: opts.cache ?? true });
    this.budgets = opts.budgets ?? new BudgetsService(db, clock, this.reader);
    this.storyLabels = new StoryLabels({ cache: opts.cache ?? true });
  }

  /** Totals of a range from its rows (grouped or not: the totals are the sum over the groups either way). */
  private async period(range: CostRange, rows: readonly CostAggregate[]) {
    const { totals, unpricedEvents } = totalsOf(rows);
    const known = await costsRepository.anySourceBefore(this.db.read, range.end, range.projectId);
    return { start: range.start, end: range.end, ...availabilityOf(known, totals, unpricedEvents), totals, unpricedEvents };
  }

  /**
   * Cost per epic: the per-story totals (from the rollups) folded into their story's epic, keyed `<project id>|<epic
   * key>`; cost of no story, or of a story in no epic, is the null group.
   */
  private async byEpic(range: CostRange): Promise<CostAggregate[]> {
    const rows = await this.reader.aggregate(range, 'story');
    const stories = await this.storyLabels.of(
      this.db.read,
      [...new Set(rows.map((r) => r.key))].filter((k): k is string => k !== null),
    );
    return rows.map((r) => {
      const s = r.key ? stories.get(r.key) : undefined;
      return { ...r, key: s?.epic && s.projectId ? `${s.projectId}|${s.epic}` : null };
    });
  }

  /** "Epic 2: Streaks and reminders" for `<project id>|<epic key>` keys. */
  private async epicLabels(keys: readonly string[]): Promise<Map<string, string>> {
    const pairs = keys.map((k) => ({ k, projectId: k.slice(0, k.lastIndexOf('|')), key: k.slice(k.lastIndexOf('|') + 1) }));
    const epics = await epicsRepository.byProjectKeys(this.db.read, pairs);
    const out = new Map<string, string>();
    for (const p of pairs) {
      const e = epics.find((x) => x.projectId === p.projectId && x.key === p.key);
      // A title that already says "Epic 2: …" (BMAD's epics.md headings) is not prefixed again.
      out.set(p.k, e?.title ? (/^epic\b/i.test(e.title) ? e.title : `Epic ${p.key}: ${e.title}`) : `Epic ${p.key}`);
    }
    return out;
  }

  /** Story titles for a breakdown by story (a card's name, never its id). */
  private async storyTitles(ids: readonly string[]): Promise<Map<string, string>> {
    const labels = await this.storyLabels.of(this.db.read, ids);
    const titles = new Map<string, string>();
    for (const [id, l] of labels) if (l.title) titles.set(id, l.title);
    return titles;
  }

  async summary(q: CostSummaryQuery): Promise<CostSummary> {
    let start: number;
    let end: number;
    if (q.window === 'custom') {
      start = Date.parse(q.start!);
      end = Date.parse(q.end!);
    } else {
      end = this.clock.now().getTime();
      start = end - COST_WINDOW_MS[q.window];
    }
    const iso = (ms: number) => new Date(ms).toISOString();
    const range = { start: iso(start), end: iso(end), projectId: q.projectId };
    // One scan of the window gives both the breakdown and the totals, so they always agree.
    const grouped = q.groupBy === 'epic' ? await this.byEpic(range) : await this.reader.aggregate(range, q.groupBy);
    const current = await this.period(range, grouped);
    const prevRange = { start: iso(start - (end - start)), end: range.start, projectId: q.projectId };
    const previous = await this.period(prevRange, await this.reader.aggregate(prevRange));

    const groups = new Map<string | null, CostAggregate[]>();
    for (const r of grouped) {
      const rows = groups.get(r.key);
      if (rows) rows.push(r);
      else groups.set(r.key, [r]);
    }
    const keys = [...groups.keys()].filter((k): k is string => k !== null);
    const labels = q.groupBy === 'story' ? await this.storyTitles(keys) : q.groupBy === 'epic' ? await this.epicLabels(keys) : new Map<string, string>();
    const breakdown = [...groups.entries()]
      .map(([key, rows]) => ({ key, label: key === null ? null : (labels.get(key) ?? null), ...totalsOf(rows) }))
      .sort((a, b) => (a.key === null ? 1 : 0) - (b.key === null ? 1 : 0) || collator.compare(a.key ?? '', b.key ?? ''));

    const currencies = [...new Set([...current.totals, ...previous.totals].map((t) => t.currency))].sort();
    const comparison = currencies.map((currency) => {
      const cur = current.totals.find((t) => t.currency === currency)?.amount ?? 0;
      const prev = previous.totals.find((t) => t.currency === currency)?.amount ?? 0;
      return { currency, current: cur, previous: prev, change: round(cur - prev), changePct: prev === 0 ? null : round(((cur - prev) / prev) * 100) };
    });
    return {
      window: q.window,
      projectId: q.projectId ?? null,
      groupBy: q.groupBy,
      ...current,
      breakdown,
      previous,
      comparison,
      budgets: await this.budgets.forScope(q.projectId),
      priceTable: this.opts.priceTable ?? null,
    };
  }

  async timeseries(q: CostTimeseriesQuery): Promise<CostTimeseries> {
    const start = Date.parse(q.start);
    const end = Date.parse(q.end);
    const buckets = makeBuckets(q.tz, q.bucket, start, end);
    const rows = await this.reader.perBucketPart(
      { start: q.start, end: q.end, projectId: q.projectId },
      buckets.slice(1).map((b) => b.start),
    );
    const reports = await costsRepository.okReportsOverlapping(this.db.read, q.start, q.end);

    const indexOf = (t: number) => {
      let lo = 0;
      let hi = buckets.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (buckets[mid]!.start <= t) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    };
    const covered = buckets.map(() => false);
    const unpriced = buckets.map(() => 0);
    const amounts = new Map<string, { amount: number; events: number }[]>();
    for (const r of rows) {
      // Slot precision is enough: every bucket boundary falls on a whole slot, except a clipped range start.
      const i = indexOf(Math.max(start, r.slotStart));
      covered[i] = true;
      unpriced[i]! += r.unpriced;
      if (r.currency === null || r.priced === 0) continue;
      let series = amounts.get(r.currency);
      if (!series) amounts.set(r.currency, (series = buckets.map(() => ({ amount: 0, events: 0 }))));
      series[i]!.amount += r.amount;
      series[i]!.events += r.priced;
    }
    for (const rep of reports) {
      const from = Date.parse(rep.from);
      const to = Date.parse(rep.to);
      for (let i = indexOf(Math.max(start, from)); i < buckets.length && buckets[i]!.start <= to; i++) covered[i] = true;
    }

    const currencies = amounts.size > 0 ? [...amounts.keys()].sort() : [this.opts.defaultCurrency];
    const iso = (ms: number) => new Date(ms).toISOString();
    const series = currencies.map((currency) => ({
      currency,
      buckets: buckets.map((b, i): CostBucketValue => {
        const known = amounts.get(currency)?.[i];
        const base = { start: iso(b.start), end: iso(b.end), unpricedEvents: unpriced[i]! };
        if (known && known.events > 0) return { ...base, status: 'available', amount: round(known.amount) };
        if (unpriced[i]! > 0) return { ...base, status: 'unavailable', reason: 'unpriced_events' };
        if (covered[i]) return { ...base, status: 'available', amount: 0 };
        return { ...base, status: 'unavailable', reason: 'no_cost_source' };
      }),
    }));
    return { bucket: q.bucket, tz: q.tz, start: q.start, end: q.end, projectId: q.projectId ?? null, series };
  }
}
