import { posix } from 'node:path';
import type { Status } from '../../../../contracts/index.js';
import type { BmadEpic, BmadIssue, BmadStory, StoryRecordRef } from '../model.js';
import { derive, type CacheEntry } from './cache.js';
import type { FileStat } from './files.js';
import { cleanStatusValue } from './status.js';
import { slugify } from './story-keys.js';
import { parseTomlText } from './toml-text.js';
import { isRecord, stringField } from './yaml-text.js';

/**
 * The unreleased initiative/ticket tree (BMAD-METHOD main, "v7"): `initiative-<slug>/tickets.toml` lists epics in build
 * order, `epic-<slug>/tickets.toml` lists entries in build order, and a ticket's status lives only in the front matter
 * of its `*-plan.md`. Board states follow BMAD's own rules (`tree-rules.md`, `board.md`, `tickets.py`).
 */

export interface ProjectFile {
  file: FileStat;
  entry: CacheEntry;
}

/** BMAD's board states, in order; dropped maps to canceled. */
export const TICKET_COLUMNS = ['planned', 'backlog', 'in-progress', 'review', 'done', 'dropped'] as const;
const PLAN_STATUSES = new Set(['draft', 'ready-for-dev', 'in-progress', 'in-review', 'built', 'done', 'blocked', 'dropped']);

/** A ticket's board state and canonical status from its plan status (none when it has no plan) and tracker status. */
export function ticketState(planStatus: string | null, hasFile: boolean, trackerStatus: string | null): { column: string; status: Status; known: boolean } {
  if (!hasFile && planStatus === null) return { column: 'planned', status: 'queued', known: true };
  if (trackerStatus) return { column: trackerStatus, status: 'queued', known: false };
  const s = planStatus === null ? null : cleanStatusValue(planStatus).toLowerCase();
  if (s === null || s === 'draft' || s === 'ready-for-dev') return { column: 'backlog', status: 'queued', known: true };
  if (s === 'in-progress') return { column: 'in-progress', status: 'in_progress', known: true };
  if (s === 'blocked') return { column: 'in-progress', status: 'blocked', known: true };
  if (s === 'in-review' || s === 'built') return { column: 'review', status: 'in_progress', known: true };
  if (s === 'done') return { column: 'done', status: 'done', known: true };
  if (s === 'dropped') return { column: 'dropped', status: 'canceled', known: true };
  // "An unknown plan status blocks its ticket."
  return { column: 'in-progress', status: 'blocked', known: false };
}

function frontMatter(entry: CacheEntry): Record<string, unknown> | null {
  return entry.facts.type === 'markdown' ? (entry.facts.md.frontMatter?.data ?? null) : null;
}

function tomlOf(pf: ProjectFile): { data: Record<string, unknown> | null; error: { line: number | null; message: string } | null } {
  if (pf.entry.facts.type !== 'text') return { data: null, error: { line: null, message: 'cannot be read' } };
  const text = pf.entry.facts.text;
  return derive(
    pf.entry,
    'tickets-toml',
    () => parseTomlText(text),
    (r) => r.error === null,
  ).current;
}

const idOf = (v: unknown): string | null => (typeof v === 'number' || typeof v === 'string' ? String(v).trim() : null);

export interface TicketBoard {
  stories: BmadStory[];
  epics: BmadEpic[];
  errors: BmadIssue[];
  findings: BmadIssue[];
  keyByFile: Map<string, string>;
}

/** One epic of an initiative: its tickets (with their plans and leaves) as stories, and the epic itself. */
function readTicketEpic(
  board: TicketBoard,
  files: ReadonlyMap<string, ProjectFile>,
  under: (dir: string) => ProjectFile[],
  base: string,
  epic: { id: string | null; slug: string | null; title: string | null },
  order: number,
): void {
  const { stories, epics, errors, findings, keyByFile } = board;
  if (!epic.slug) return;
  const dir = `${base}/epic-${epic.slug}`;
  const epicKey = epic.id ?? epic.slug;
  const epicDoc = files.get(`${dir}/epic-${epic.slug}.md`);
  const epicFm = epicDoc ? frontMatter(epicDoc.entry) : null;
  const entriesFile = files.get(`${dir}/tickets.toml`);
  const entriesParsed = entriesFile ? tomlOf(entriesFile) : { data: null, error: null };
  if (entriesFile && entriesParsed.error)
    errors.push({
      kind: 'parse_error',
      file: entriesFile.file.rel,
      line: entriesParsed.error.line,
      message: `${entriesFile.file.rel}: ${entriesParsed.error.message}`,
    });
  const entries = Array.isArray(entriesParsed.data?.['entry']) ? (entriesParsed.data!['entry'] as unknown[]).filter(isRecord) : [];
  const docs = under(dir).filter((f) => f.file.rel.slice(dir.length + 1).indexOf('/') < 0 && f.file.rel.endsWith('.md'));
  const plans = docs.filter((f) => {
    const fm = frontMatter(f.entry);
    return fm !== null && 'ticket' in fm && !['story', 'spike', 'bug'].includes(String(fm['type'] ?? ''));
  });
  const leaves = docs.filter((f) => ['story', 'spike', 'bug'].includes(String(frontMatter(f.entry)?.['type'] ?? '')));
  const epicStories: BmadStory[] = [];
  entries.forEach((entry) => {
    const id = idOf(entry['id']);
    if (id === null) return;
    const title = stringField(entry, 'title') ?? `Ticket ${epicKey}.${id}`;
    const plan = plans.find((p) => idOf(frontMatter(p.entry)?.['ticket']) === id) ?? null;
    const leaf = leaves.find((l) => idOf(frontMatter(l.entry)?.['id']) === id) ?? null;
    const planFm = plan ? frontMatter(plan.entry) : null;
    const planStatus = stringField(planFm, 'status');
    const tracker = stringField(leaf ? frontMatter(leaf.entry) : null, 'tracker_status');
    const state = ticketState(planStatus, plan !== null || leaf !== null, tracker);
    const v6Key = stringField(entry, 'v6_key');
    const key = v6Key ?? `${/^\d+$/.test(epicKey) ? epicKey : order + 1}-${id}-${slugify(title)}`.slice(0, 120);
    const records: StoryRecordRef[] = [];
    if (entriesFile) records.push({ kind: 'tickets', file: entriesFile.file.rel, line: null, value: null });
    if (plan) {
      const loc = plan.entry.facts.type === 'markdown' ? plan.entry.facts.md.status : null;
      records.push({ kind: 'plan', file: plan.file.rel, line: loc?.line ?? null, value: planStatus });
      keyByFile.set(plan.file.rel, key);
    }
    if (leaf) keyByFile.set(leaf.file.rel, key);
    if (planStatus !== null && !PLAN_STATUSES.has(cleanStatusValue(planStatus).toLowerCase())) {
      findings.push({
        kind: 'unknown_status',
        file: plan!.file.rel,
        line: records.at(-1)?.line ?? null,
        storyKey: key,
        actual: cleanStatusValue(planStatus).slice(0, 64),
        message: `Ticket ${key} has plan status "${cleanStatusValue(planStatus)}", which BMAD does not define: its ticket counts as blocked`,
      });
    }
    epicStories.push(ticketStory({ key, epicKey, title, leaf, plan, planStatus, state, records, fallbackMtime: entriesFile?.file.mtimeMs ?? 0 }));
  });
  stories.push(...epicStories);
  const written = stringField(epicFm, 'status');
  const retroDoc = files.get(`${dir}/epic-${epic.slug}-retrospective.md`);
  const verdict = stringField(retroDoc ? frontMatter(retroDoc.entry) : null, 'verdict');
  epics.push({
    key: epicKey,
    title: epic.title ?? stringField(epicFm, 'title'),
    sourceStatus: written,
    status: written ? epicStatusOf(written) : derivedEpicStatus(epicStories),
    file: epicDoc?.file.rel ?? null,
    line: null,
    retrospective: retroDoc ? { status: 'done', verdict: verdictOf(verdict), file: retroDoc.file.rel } : null,
  });
}

/** Reads every initiative (and the backlog) under the output folder. */
export function buildTicketBoard(files: ReadonlyMap<string, ProjectFile>, output: string): TicketBoard {
  const stories: BmadStory[] = [];
  const epics: BmadEpic[] = [];
  const errors: BmadIssue[] = [];
  const findings: BmadIssue[] = [];
  const keyByFile = new Map<string, string>();
  const board: TicketBoard = { stories, epics, errors, findings, keyByFile };
  const all = [...files.values()];
  const under = (dir: string) => all.filter((f) => f.file.rel.startsWith(`${dir}/`));

  const initiatives = [
    ...new Set(
      all.map((f) => new RegExp(`^${output.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(initiative-[^/]+)/`).exec(f.file.rel)?.[1]).filter((x): x is string => !!x),
    ),
  ].sort();
  for (const initiative of initiatives) {
    const base = `${output}/${initiative}`;
    const tree = files.get(`${base}/tickets.toml`);
    const parsed = tree ? tomlOf(tree) : { data: null, error: null };
    if (tree && parsed.error)
      errors.push({ kind: 'parse_error', file: tree.file.rel, line: parsed.error.line, message: `${tree.file.rel}: ${parsed.error.message}` });
    const epicTables = Array.isArray(parsed.data?.['epic']) ? (parsed.data!['epic'] as unknown[]).filter(isRecord) : [];
    // Epics in build order as the initiative lists them; epic folders it does not list follow, by name.
    const listed = epicTables.map((e) => ({ id: idOf(e['id']), slug: stringField(e, 'slug'), title: stringField(e, 'title') }));
    const folders = [
      ...new Set(
        under(base)
          .map((f) => /^epic-[^/]+/.exec(f.file.rel.slice(base.length + 1))?.[0])
          .filter((x): x is string => !!x),
      ),
    ].sort();
    for (const folder of folders)
      if (!listed.some((e) => e.slug && `epic-${e.slug}` === folder)) listed.push({ id: null, slug: folder.slice('epic-'.length), title: null });

    listed.forEach((epic, order) => readTicketEpic(board, files, under, base, epic, order));
  }

  // Standalone leaves and plans in backlog/.
  const backlog = under(`${output}/backlog`).filter((f) => f.file.rel.endsWith('.md'));
  for (const leaf of backlog.filter((f) => !f.file.rel.endsWith('-plan.md'))) {
    const stem = posix.basename(leaf.file.rel, '.md');
    const plan = backlog.find((p) => p.file.rel === leaf.file.rel.replace(/\.md$/, '-plan.md')) ?? null;
    const fm = frontMatter(leaf.entry);
    const planFm = plan ? frontMatter(plan.entry) : null;
    const planStatus = stringField(planFm, 'status');
    const state = ticketState(planStatus, true, stringField(fm, 'tracker_status'));
    const key = `backlog-${stem}`.slice(0, 120);
    keyByFile.set(leaf.file.rel, key);
    if (plan) keyByFile.set(plan.file.rel, key);
    const records: StoryRecordRef[] = plan ? [{ kind: 'plan', file: plan.file.rel, line: null, value: planStatus }] : [];
    stories.push(ticketStory({ key, epicKey: null, title: stringField(fm, 'title') ?? stem, leaf, plan, planStatus, state, records, fallbackMtime: 0 }));
  }
  return { stories, epics, errors, findings, keyByFile };
}

/** A ticket as a story: its plan's status on BMAD's board, who it is assigned to, what its reviews left open. */
function ticketStory(t: {
  key: string;
  epicKey: string | null;
  title: string;
  leaf: ProjectFile | null;
  plan: ProjectFile | null;
  planStatus: string | null;
  state: { column: string; status: Status };
  records: StoryRecordRef[];
  fallbackMtime: number;
}): BmadStory {
  const planFm = t.plan ? frontMatter(t.plan.entry) : null;
  const mtimes = [t.plan, t.leaf].filter((x): x is ProjectFile => x !== null).map((x) => x.file.mtimeMs);
  return {
    key: t.key,
    epicKey: t.epicKey,
    title: t.title,
    file: (t.leaf ?? t.plan)?.file.rel ?? null,
    sourceStatus: t.planStatus !== null ? cleanStatusValue(t.planStatus) : t.state.column,
    column: t.state.column,
    status: t.state.status,
    tasksDone: null,
    tasksTotal: null,
    agentModel: null,
    mtimeMs: mtimes.length > 0 ? Math.max(...mtimes) : t.fallbackMtime,
    records: t.records,
    reviewFindings: t.plan && t.plan.entry.facts.type === 'markdown' ? t.plan.entry.facts.md.reviewFindings : null,
    deferred: [],
    baselineCommit: stringField(planFm, 'baseline_revision') ?? stringField(planFm, 'baseline_commit'),
    assignee: stringField(planFm, 'assignee') ?? stringField(t.leaf ? frontMatter(t.leaf.entry) : null, 'assignee'),
  };
}

function epicStatusOf(value: string): Status {
  const v = cleanStatusValue(value).toLowerCase();
  if (v === 'done') return 'done';
  if (v === 'dropped') return 'canceled';
  if (v === 'in-progress' || v === 'contexted') return 'in_progress';
  return 'queued';
}

/** An epic with no status of its own: done when all its (not dropped) stories are, in progress once any moved. */
export function derivedEpicStatus(stories: readonly BmadStory[]): Status {
  const live = stories.filter((s) => s.status !== 'canceled');
  if (live.length > 0 && live.every((s) => s.status === 'done')) return 'done';
  if (live.some((s) => s.status !== 'queued')) return 'in_progress';
  return 'queued';
}

export function verdictOf(v: string | null): 'accepted' | 'accepted-with-open-items' | 'rejected' | null {
  const t = v?.trim().toLowerCase() ?? null;
  return t === 'accepted' || t === 'accepted-with-open-items' || t === 'rejected' ? t : null;
}

export { epicStatusOf };
