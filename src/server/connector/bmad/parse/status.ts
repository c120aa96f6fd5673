import type { Status } from '../../../../contracts/index.js';
import type { BmadLayout } from '../model.js';

/**
 * BMAD story status values, across every era, onto one set of stages, then onto BMAD's own column names for the
 * layout and onto the canonical vocabulary (see ../shared/reference/bmad-formats.md, section 2 and 3).
 *
 * | value as written (any case, spaces/underscores/hyphens ignored) | stage       | v6 column     | v4 column  | canonical   |
 * |------------------------------------------------------------------|-------------|---------------|------------|-------------|
 * | backlog                                                          | backlog     | backlog       | Draft      | queued      |
 * | draft, Draft (v4, alpha.0, v6.7 spec)                            | backlog     | backlog       | Draft      | queued      |
 * | ready-for-dev                                                    | ready       | ready-for-dev | Approved   | queued      |
 * | drafted (legacy v6)                                              | ready       | ready-for-dev | Approved   | queued      |
 * | ContextReadyDraft (alpha.0)                                      | ready       | ready-for-dev | Approved   | queued      |
 * | Approved (v4, alpha.0)                                           | ready       | ready-for-dev | Approved   | queued      |
 * | in-progress, InProgress                                          | in-progress | in-progress   | InProgress | in_progress |
 * | Changes Required (v4 practice: QA sent it back)                  | in-progress | in-progress   | InProgress | in_progress |
 * | review, Review                                                   | review      | review        | Review     | in_progress |
 * | in-review (v6.7 spec files)                                      | review      | review        | Review     | in_progress |
 * | Ready for Review (v4 practice, alpha.0)                          | review      | review        | Review     | in_progress |
 * | Ready for Done (v4 practice: QA passed, awaiting sign-off)       | review      | review        | Review     | in_progress |
 * | done, Done                                                       | done        | done          | Done       | done        |
 * | blocked (not a BMAD value)                                       | -           | as written    | as written | blocked     |
 * | canceled, cancelled (not a BMAD value)                           | -           | as written    | as written | canceled    |
 * | anything else, e.g. awaiting-operator                            | -           | as written    | as written | queued      |
 *
 * Every value without a stage (the last three rows) is reported as an `unknown_status` finding by the scanner; the
 * story keeps its own column and is never dropped.
 */
export type StoryStage = 'backlog' | 'ready' | 'in-progress' | 'review' | 'done';

export const STORY_STAGES: readonly StoryStage[] = ['backlog', 'ready', 'in-progress', 'review', 'done'];

const STAGE_BY_TOKEN: Readonly<Record<string, StoryStage>> = {
  backlog: 'backlog',
  draft: 'backlog',
  readyfordev: 'ready',
  drafted: 'ready',
  contextreadydraft: 'ready',
  approved: 'ready',
  inprogress: 'in-progress',
  changesrequired: 'in-progress',
  review: 'review',
  inreview: 'review',
  readyforreview: 'review',
  readyfordone: 'review',
  done: 'done',
  // Seen in real story files for done.
  complete: 'done',
  completed: 'done',
};

/** Values that are not BMAD's but say something the canonical vocabulary can express. */
const NON_BMAD_STATUS_BY_TOKEN: Readonly<Record<string, Status>> = {
  blocked: 'blocked',
  canceled: 'canceled',
  cancelled: 'canceled',
};

const STAGE_STATUS: Readonly<Record<StoryStage, Status>> = {
  backlog: 'queued',
  ready: 'queued',
  'in-progress': 'in_progress',
  review: 'in_progress',
  done: 'done',
};

const V6_COLUMNS: Readonly<Record<StoryStage, string>> = {
  backlog: 'backlog',
  ready: 'ready-for-dev',
  'in-progress': 'in-progress',
  review: 'review',
  done: 'done',
};

const V4_COLUMNS: Readonly<Record<StoryStage, string>> = {
  backlog: 'Draft',
  ready: 'Approved',
  'in-progress': 'InProgress',
  review: 'Review',
  done: 'Done',
};

function columnsByStage(layout: BmadLayout): Readonly<Record<StoryStage, string>> {
  return layout === 'v4' ? V4_COLUMNS : V6_COLUMNS;
}

/** BMAD's board columns for a layout, in workflow order. */
export function columnsForLayout(layout: BmadLayout): string[] {
  const byStage = columnsByStage(layout);
  return STORY_STAGES.map((stage) => byStage[stage]);
}

/** The column a stage is called in this layout. */
export function columnForStage(layout: BmadLayout, stage: StoryStage): string {
  return columnsByStage(layout)[stage];
}

/**
 * Strips markdown emphasis, code ticks, quotes, a trailing HTML comment and a trailing explanation from a status value
 * as written: "`done` (administrative close)" and "done — ACs 2–6 complete" are both "done".
 */
export function cleanStatusValue(raw: string): string {
  // The common case, a bare BMAD value, needs none of the work below.
  if (/^[A-Za-z][A-Za-z-]*$/.test(raw)) return raw;
  let v = raw.replace(/<!--.*?-->/g, '').trim();
  for (let i = 0; i < 4; i += 1) {
    const before = v;
    v = v
      .replace(/^(.+?)\s+\(.*$/, '$1')
      .replace(/^(.+?)\s+[—–-]\s.*$/, '$1')
      .trim();
    const m = /^(\*\*|__|\*|_|`|"|')(.*)\1$/.exec(v);
    if (m) v = m[2]!.trim();
    // A value that opens with a quoted word keeps only it: "`done` extra words".
    const lead = /^(`|\*\*)([^`*]+)\1(?:\s.*)?$/.exec(v);
    if (lead) v = lead[2]!.trim();
    if (v === before) break;
  }
  return v;
}

/** Case-insensitive, tolerant of spaces, underscores, hyphens and decoration: "In Progress" = "in_progress" = "InProgress". */
export function statusToken(raw: string): string {
  return cleanStatusValue(raw)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

export function stageOf(raw: string): StoryStage | null {
  return STAGE_BY_TOKEN[statusToken(raw)] ?? null;
}

export interface StoryStatusMapping {
  /** The value as written, decoration removed. */
  value: string;
  stage: StoryStage | null;
  /** BMAD's column for the board (the value itself when it is not a known BMAD value). */
  column: string;
  status: Status;
  /** False for anything that is not a BMAD story status value (the scanner reports it). */
  known: boolean;
}

export function mapStoryStatus(raw: string, layout: BmadLayout, opts: { blockedIsKnown?: boolean } = {}): StoryStatusMapping {
  const value = cleanStatusValue(raw);
  const token = statusToken(value);
  const stage = STAGE_BY_TOKEN[token] ?? null;
  if (stage) return { value, stage, column: columnForStage(layout, stage), status: STAGE_STATUS[stage], known: true };
  // Build Auto writes `blocked` into a spec (v6.11+): a BMAD value there, with the canonical meaning.
  if (token === 'blocked' && opts.blockedIsKnown) return { value, stage: null, column: 'blocked', status: 'blocked', known: true };
  const status = NON_BMAD_STATUS_BY_TOKEN[token] ?? 'queued';
  return { value, stage: null, column: value, status, known: false };
}

/** Whether two status values mean the same thing once both are normalised (used for drift). */
export function sameStoryStatus(a: string, b: string): boolean {
  const sa = stageOf(a);
  const sb = stageOf(b);
  if (sa || sb) return sa === sb;
  return statusToken(a) === statusToken(b);
}

/**
 * The BMAD column to write when the dashboard moves a card to a canonical status. Null means "BMAD cannot express
 * it, refuse the move" (it has no blocked, failed or canceled story status).
 *
 * - If the card's current column already means that canonical status (review is in_progress too; ready-for-dev is
 *   queued too), the current column is kept: nothing to write.
 * - Otherwise queued -> backlog (v4 Draft), in_progress -> in-progress (v4 InProgress), done -> done (v4 Done).
 */
export function columnForStatus(layout: BmadLayout, status: Status, currentColumn?: string | null): string | null {
  if (status === 'blocked' || status === 'canceled' || status === 'failed') return null;
  if (currentColumn) {
    const current = mapStoryStatus(currentColumn, layout);
    if (current.known && current.status === status) return current.column;
  }
  const stage: StoryStage = status === 'queued' ? 'backlog' : status === 'in_progress' ? 'in-progress' : 'done';
  return columnForStage(layout, stage);
}
