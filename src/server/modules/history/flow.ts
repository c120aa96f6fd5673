import { HOUR_MS, orderColumns, type FlowResponse, type Status } from '../../../contracts/index.js';
import type { StatusTransitionRow } from './status-transitions.repository.js';

/** A bucket of a flow chart, as epoch milliseconds: [start, end). */
export interface Span {
  start: number;
  end: number;
}

export interface FlowInput {
  /** The project's story transitions, oldest first (ties by event id). */
  transitions: readonly StatusTransitionRow[];
  /** Each story's epic label (the burndown groups by it); stories without one are left out of the burndown. */
  epicOf: ReadonlyMap<string, string | null>;
  buckets: readonly Span[];
  weeks: readonly Span[];
}

type Percentiles = { p50: number; p85: number; p95: number; n: number };

const columnOf = (t: StatusTransitionRow) => t.to_column ?? t.to_status;

/** Nearest-rank percentiles (what people mean by "85 % of stories finish within …"). */
export function percentiles(samples: readonly number[]): Percentiles | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
  const round = (h: number) => Math.round(h * 100) / 100;
  return { p50: round(at(50)), p85: round(at(85)), p95: round(at(95)), n: sorted.length };
}

/** Where each story stands after the transitions before `until`, and which transition put it there. */
class Replay {
  readonly state = new Map<string, StatusTransitionRow>();
  private next = 0;
  constructor(private readonly transitions: readonly StatusTransitionRow[]) {}
  advanceTo(until: number): void {
    while (this.next < this.transitions.length && Date.parse(this.transitions[this.next]!.occurred_at_utc) < until) {
      const t = this.transitions[this.next]!;
      this.state.set(t.entity_id, t);
      this.next += 1;
    }
  }
}

/**
 * A completion is a transition into done from anything else; its cycle time runs from the first in-progress since
 * the story's previous completion (or since it appeared). A story that went straight to done has no cycle time.
 */
export interface Completion {
  done: StatusTransitionRow;
  started: StatusTransitionRow | null;
  hours: number | null;
}

export function completions(transitions: readonly StatusTransitionRow[]): Completion[] {
  const out: Completion[] = [];
  const last = new Map<string, StatusTransitionRow>();
  const startedAt = new Map<string, StatusTransitionRow>();
  for (const t of transitions) {
    const prev = last.get(t.entity_id);
    if (t.to_status === 'in_progress' && !startedAt.has(t.entity_id)) startedAt.set(t.entity_id, t);
    if (t.to_status === 'done' && prev?.to_status !== 'done') {
      const started = startedAt.get(t.entity_id) ?? null;
      out.push({ done: t, started, hours: started ? (Date.parse(t.occurred_at_utc) - Date.parse(started.occurred_at_utc)) / HOUR_MS : null });
      startedAt.delete(t.entity_id);
    }
    last.set(t.entity_id, t);
  }
  return out;
}

export function computeFlow(input: FlowInput): Pick<FlowResponse, 'columns' | 'cfd' | 'burndown' | 'throughput' | 'cycleTimeHours'> {
  const { transitions, epicOf, buckets, weeks } = input;
  const first = transitions.length > 0 ? Date.parse(transitions[0]!.occurred_at_utc) : null;
  const columns = orderColumns(transitions.map((t) => ({ column: columnOf(t), status: t.to_status as Status })));
  const epics = [...new Set([...epicOf.values()].filter((e): e is string => e !== null))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));

  const cfd: FlowResponse['cfd'] = [];
  const burn = new Map<string, FlowResponse['burndown'][number]['points']>(epics.map((e) => [e, []]));
  const replay = new Replay(transitions);
  for (const b of buckets) {
    replay.advanceTo(b.end);
    const iso = { start: new Date(b.start).toISOString(), end: new Date(b.end).toISOString() };
    if (first === null || b.end <= first) {
      cfd.push({ ...iso, counts: null });
      for (const e of epics) burn.get(e)!.push({ ...iso, remaining: null, total: null });
      continue;
    }
    const counts: Record<string, number> = Object.fromEntries(columns.map((c) => [c, 0]));
    const remaining = new Map<string, { remaining: number; total: number }>();
    for (const [storyId, t] of replay.state) {
      counts[columnOf(t)] = (counts[columnOf(t)] ?? 0) + 1;
      const epic = epicOf.get(storyId) ?? null;
      if (epic === null || t.to_status === 'canceled') continue;
      const r = remaining.get(epic) ?? { remaining: 0, total: 0 };
      r.total += 1;
      if (t.to_status !== 'done') r.remaining += 1;
      remaining.set(epic, r);
    }
    cfd.push({ ...iso, counts });
    for (const e of epics) {
      const r = remaining.get(e);
      burn.get(e)!.push({ ...iso, remaining: r ? r.remaining : null, total: r ? r.total : null });
    }
  }

  const done = completions(transitions);
  const inRange = (s: Span) =>
    done.filter((c) => {
      const at = Date.parse(c.done.occurred_at_utc);
      return at >= s.start && at < s.end;
    });
  const throughput: FlowResponse['throughput'] = weeks.map((w) => {
    const iso = { start: new Date(w.start).toISOString(), end: new Date(w.end).toISOString() };
    if (first === null || w.end <= first) return { ...iso, done: null, cycleTimeHours: null };
    const here = inRange(w);
    return { ...iso, done: here.length, cycleTimeHours: percentiles(here.flatMap((c) => (c.hours === null ? [] : [c.hours]))) };
  });
  const all = weeks.length > 0 ? inRange({ start: weeks[0]!.start, end: weeks[weeks.length - 1]!.end }) : [];
  return {
    columns,
    cfd,
    burndown: epics.map((epic) => ({ epic, points: burn.get(epic)! })),
    throughput,
    cycleTimeHours: percentiles(all.flatMap((c) => (c.hours === null ? [] : [c.hours]))),
  };
}

/** The transitions behind one point of a flow chart. */
export function flowSources(
  transitions: readonly StatusTransitionRow[],
  epicOf: ReadonlyMap<string, string | null>,
  q: { kind: 'cfd' | 'burndown' | 'throughput'; start: number; end: number; column?: string | undefined; epic?: string | undefined },
): StatusTransitionRow[] {
  if (q.kind === 'throughput') {
    return completions(transitions)
      .filter((c) => {
        const at = Date.parse(c.done.occurred_at_utc);
        return at >= q.start && at < q.end;
      })
      .flatMap((c) => (c.started ? [c.started, c.done] : [c.done]));
  }
  const replay = new Replay(transitions);
  replay.advanceTo(q.end);
  const out: StatusTransitionRow[] = [];
  for (const [storyId, t] of replay.state) {
    if (q.kind === 'cfd' && (q.column === undefined || columnOf(t) === q.column)) out.push(t);
    if (q.kind === 'burndown' && epicOf.get(storyId) === q.epic && t.to_status !== 'canceled') out.push(t);
  }
  return out.sort((a, b) => (a.occurred_at_utc < b.occurred_at_utc ? -1 : a.occurred_at_utc > b.occurred_at_utc ? 1 : a.event_id - b.event_id));
}
