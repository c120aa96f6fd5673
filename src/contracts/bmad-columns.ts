import { STATUS_MODEL, type Status } from './status-model.js';

/**
 * BMAD's board columns across layouts in workflow order (v6 sprint-status, v4 story files, the ticket layout's board
 * states), so a chart or a list can put columns in the order work flows through them.
 */
export const BMAD_COLUMN_ORDER = [
  'planned',
  'backlog',
  'Draft',
  'draft',
  'ready-for-dev',
  'Approved',
  'in-progress',
  'InProgress',
  'blocked',
  'review',
  'Review',
  'in-review',
  'built',
  'awaiting-operator',
  'done',
  'Done',
  'dropped',
  'canceled',
] as const;

const RANK = new Map<string, number>(BMAD_COLUMN_ORDER.map((c, i) => [c, i]));

/**
 * Puts columns in the order work flows through them: BMAD's own in workflow order, then each other column right after
 * the last column of its canonical status (or at the end), alphabetically among themselves.
 */
export function orderColumns(columns: readonly { column: string; status: Status | null }[]): string[] {
  const unique = new Map<string, Status | null>();
  for (const c of columns) if (!unique.has(c.column)) unique.set(c.column, c.status);
  const known = [...unique.keys()].filter((c) => RANK.has(c)).sort((a, b) => RANK.get(a)! - RANK.get(b)!);
  const others = [...unique.keys()].filter((c) => !RANK.has(c)).sort((a, b) => a.localeCompare(b));
  const out = [...known];
  const statusRank = (s: Status | null) => (s === null ? STATUS_MODEL.story.statuses.length : STATUS_MODEL.story.statuses.indexOf(s));
  for (const c of others) {
    const status = unique.get(c) ?? null;
    let at = -1;
    out.forEach((k, i) => {
      if (unique.get(k) === status) at = i;
    });
    if (at < 0) {
      // No column of its status yet: before the first column of a later status.
      const later = out.findIndex((k) => statusRank(unique.get(k) ?? null) > statusRank(status));
      at = later < 0 ? out.length - 1 : later - 1;
    }
    out.splice(at + 1, 0, c);
  }
  return out;
}
