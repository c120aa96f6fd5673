import { posix } from 'node:path';
import type { BmadIssue, BmadLayout, BmadStory, DeferredItemRef, ReviewFindingCounts, StoryRecordRef } from '../model.js';
import type { CacheEntry } from './cache.js';
import { derive } from './cache.js';
import type { FileStat } from './files.js';
import { storyTitleFromHeading, type StatusLocation } from './markdown.js';
import type { SprintEntry, SprintStatus } from './sprint-status.js';
import { cleanStatusValue, columnForStage, mapStoryStatus, sameStoryStatus, stageOf, type StoryStage } from './status.js';
import { compareStoryOrder, titleFromStoryKey, trackedKeyOfSpec, type StoryRef } from './story-keys.js';
import { isRecord, stringField } from './yaml-text.js';

/** What one story file (or Build spec) says, once parsed. */
export interface StoryFileFacts {
  title: string | null;
  status: StatusLocation | null;
  tasks: { done: number; total: number } | null;
  agentModel: string | null;
  frontMatter: Record<string, unknown> | null;
  reviewFindings: ReviewFindingCounts | null;
  error: { line: number | null; message: string } | null;
  /** No heading and no front-matter title: a story file must have one, a Build spec takes its name from its slug. */
  missingTitle: boolean;
}

export function storyFileFacts(entry: CacheEntry): { current: StoryFileFacts; lastGood: StoryFileFacts | null } {
  return derive(
    entry,
    'story',
    (): StoryFileFacts => {
      const none = { title: null, status: null, tasks: null, agentModel: null, frontMatter: null, reviewFindings: null, missingTitle: false };
      if (entry.facts.type === 'unreadable') return { ...none, error: { line: null, message: `cannot read: ${entry.facts.message}` } };
      if (entry.facts.type !== 'markdown') return { ...none, error: { line: null, message: 'story file too large to parse' } };
      const md = entry.facts.md;
      const fmTitle = md.frontMatter?.data && typeof md.frontMatter.data['title'] === 'string' ? md.frontMatter.data['title'].trim() : '';
      const title = md.h1 && md.h1.text.trim() !== '' ? storyTitleFromHeading(md.h1.text) : fmTitle !== '' ? storyTitleFromHeading(fmTitle) : null;
      const error: StoryFileFacts['error'] = md.frontMatterError;
      return {
        title,
        status: md.status,
        tasks: md.tasks,
        agentModel: md.agentModel,
        frontMatter: md.frontMatter?.data ?? null,
        reviewFindings: md.reviewFindings,
        error,
        missingTitle: title === null,
      };
    },
    (f) => f.error === null && (!f.missingTitle || f.frontMatter !== null),
  );
}

export interface StoryFileInput {
  file: FileStat;
  ref: StoryRef;
  entry: CacheEntry;
}

export interface StoryBuildInput {
  layout: BmadLayout;
  /** Story files (`N-M-slug.md`, v4 `N.M.story.md`, alpha `story-N.M.md`, `story-N-M-slug.md`). */
  storyFiles: StoryFileInput[];
  /** Build specs (`spec-<slug>.md`, v6.7+): a record of the story their slug or `story_key` names, or a story of their own. */
  specFiles?: StoryFileInput[];
  sprint: SprintStatus | null;
  sprintFile: FileStat | null;
  /** Story titles from epics.md / PRD headings, by "epic.story[suffix]". */
  headingTitles: ReadonlyMap<string, string>;
  /** Statuses only (the history): no titles made up from keys. */
  lite?: boolean;
}

export interface StoryBuildResult {
  stories: BmadStory[];
  findings: BmadIssue[];
  errors: BmadIssue[];
  /** Story file and spec path -> the story key it is a record of. */
  keyByFile: Map<string, string>;
  /** Files named like stories that are not (a decision document beside its story): path -> the nearest story, or null. */
  attachedFiles: Map<string, string | null>;
}

interface ResolvedFile {
  input: StoryFileInput;
  facts: StoryFileFacts | null;
}

const numberKey = (ref: { epic: string | null; story: string | null; suffix: string }): string | null =>
  ref.epic === null || ref.story === null ? null : `${ref.epic}.${ref.story}${ref.suffix}`;

/** Sprint keys are cut at about 60 characters (BMAD's own slug rule); a longer file name may still be the same story. */
const TRUNCATION_MIN = 40;

/** Whether a value reads as a status at all ("GO — proceed to Story 32.2" is a decision, not a status). */
function statusLike(value: string): boolean {
  const v = cleanStatusValue(value);
  return /^[A-Za-z][A-Za-z0-9 _-]{0,40}$/.test(v) && v.split(/\s+/).length <= 3;
}

/**
 * How a Build spec's status lines up with sprint-status.yaml when they agree (v6.11 Build: the spec says done when
 * Build finished, while sprint-status says review until code review ran; Build Auto writes blocked and never touches
 * sprint-status).
 */
const SPEC_AGREES: Readonly<Record<StoryStage, readonly string[]>> = {
  backlog: ['draft', 'backlog'],
  ready: ['readyfordev', 'draft'],
  'in-progress': ['inprogress', 'blocked'],
  review: ['inreview', 'review', 'done', 'complete'],
  done: ['done', 'complete', 'completed'],
};

function specAgrees(sprintValue: string, specValue: string): boolean {
  const stage = stageOf(sprintValue);
  const token = cleanStatusValue(specValue)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
  if (stage === null) return sameStoryStatus(sprintValue, specValue);
  return SPEC_AGREES[stage].includes(token);
}

function deferredOf(fm: Record<string, unknown> | null, file: string): DeferredItemRef[] {
  const raw = fm?.['deferred'];
  if (!Array.isArray(raw)) return [];
  const out: DeferredItemRef[] = [];
  for (const item of raw.slice(0, 200)) {
    const summary = typeof item === 'string' ? item : (stringField(item, 'summary') ?? stringField(item, 'title'));
    if (!summary || summary.trim() === '') continue;
    out.push({
      summary: summary.trim().slice(0, 500),
      severity: isRecord(item) ? stringField(item, 'severity') : null,
      file: (isRecord(item) ? stringField(item, 'location') : null) ?? null,
      origin: `deferred by ${posix.basename(file)}`,
    });
  }
  return out;
}

function sumFindings(a: ReviewFindingCounts | null, b: ReviewFindingCounts | null): ReviewFindingCounts | null {
  if (!a) return b;
  if (!b) return a;
  return { open: a.open + b.open, resolved: a.resolved + b.resolved, deferred: a.deferred + b.deferred, decisions: a.decisions + b.decisions };
}

/**
 * A story's status from its records: sprint-status.yaml when it lists the story, else the Build spec (Build's own
 * record), else the story file; a Build Auto halt (spec `blocked`) wins over a sprint-status that still says the
 * story is being worked on. Returns the value as written (cleaned) and how it maps.
 */
export function resolveStoryStatus(
  layout: BmadLayout,
  sprintValue: string | null,
  specValue: string | null,
  fileValue: string | null,
): { sourceStatus: string | null; mapping: ReturnType<typeof mapStoryStatus> | null } {
  let raw = sprintValue ?? specValue ?? fileValue;
  let blockedIsKnown = sprintValue === null && specValue !== null;
  if (
    sprintValue !== null &&
    specValue !== null &&
    cleanStatusValue(specValue).toLowerCase() === 'blocked' &&
    ['in-progress', 'ready'].includes(stageOf(sprintValue) ?? '')
  ) {
    raw = specValue;
    blockedIsKnown = true;
  }
  if (raw === null) return { sourceStatus: null, mapping: null };
  const mapping = mapStoryStatus(raw, layout, { blockedIsKnown });
  return { sourceStatus: mapping.value, mapping };
}

/**
 * Stories from sprint-status.yaml (the source of truth for the board when present), story files and Build specs. A
 * story only in sprint-status still appears; records that disagree raise one `status_drift` naming every record and
 * its value; values BMAD does not define raise `unknown_status`; a file that cannot be parsed is reported and its
 * last good parse is used when the cache has one; a file named like a story that is not in sprint-status and carries
 * no BMAD status (a decision document, a proof packet) is a document of the nearest story, not a card.
 */
export function buildStories(input: StoryBuildInput): StoryBuildResult {
  const st: BuildState = { input, findings: [], errors: [], keyByFile: new Map(), attachedFiles: new Map(), used: new Set(), stories: [] };
  const files = resolveFiles(input.storyFiles, st);
  // Specs replaced by a newer one (`…-superseded-<date>.md`) are documents of their story, never records.
  const specInputs = (input.specFiles ?? []).filter((s) => {
    if (!/-superseded(?:-|\.md$)/.test(s.file.rel)) return true;
    st.attachedFiles.set(s.file.rel, null);
    return false;
  });
  const specs = resolveFiles(specInputs, st);
  const specByStoryKey = new Map<string, ResolvedFile>();
  for (const s of specs.values()) {
    const explicit = stringField(s.facts?.frontMatter, 'story_key') ?? trackedKeyOfSpec(s.input.ref.key);
    if (explicit && !specByStoryKey.has(explicit)) specByStoryKey.set(explicit, s);
  }
  const sprintStories = input.sprint ? input.sprint.entries.filter((e) => e.ref.kind === 'story') : [];
  const sprintKeys = new Set(sprintStories.map((e) => e.key));
  addSprintStories(st, sprintStories, sprintKeys, files, specs, specByStoryKey);
  addUnclaimedStories(st, sprintKeys, files, specs, specByStoryKey);
  st.stories.sort((a, b) => compareStoryOrder(a.order, b.order));
  return {
    stories: st.stories.map(({ order: _order, ...s }) => s),
    findings: st.findings,
    errors: st.errors,
    keyByFile: st.keyByFile,
    attachedFiles: st.attachedFiles,
  };
}

type RefParts = { epic: string | null; story: string | null; suffix: string };
type OrderedStory = BmadStory & { order: RefParts & { key: string } };

/** What building the stories accumulates, shared by its steps. */
interface BuildState {
  input: StoryBuildInput;
  findings: BmadIssue[];
  errors: BmadIssue[];
  keyByFile: Map<string, string>;
  attachedFiles: Map<string, string | null>;
  /** Files and specs already claimed by a story. */
  used: Set<ResolvedFile>;
  stories: OrderedStory[];
}

/** One file per key: the shallowest path wins (then alphabetical), so archived copies in subfolders do not compete. */
function resolveFiles(list: readonly StoryFileInput[], st: BuildState): Map<string, ResolvedFile> {
  const depth = new Map(list.map((f) => [f, f.file.rel.split('/').length]));
  const sorted = [...list].sort((a, b) => depth.get(a)! - depth.get(b)! || (a.file.rel < b.file.rel ? -1 : 1));
  const byKey = new Map<string, ResolvedFile>();
  for (const f of sorted) {
    if (byKey.has(f.ref.key)) {
      st.attachedFiles.set(f.file.rel, null);
      continue;
    }
    const { current, lastGood } = storyFileFacts(f.entry);
    const error =
      current.error ??
      (current.missingTitle && f.ref.style !== 'spec' && !current.frontMatter
        ? { line: 1, message: 'story has no title: expected a "# Story N.M: Title" heading on its first line' }
        : null);
    if (error) st.errors.push({ kind: 'parse_error', file: f.file.rel, line: error.line, message: `${f.file.rel}: ${error.message}`, storyKey: f.ref.key });
    byKey.set(f.ref.key, { input: f, facts: error ? (lastGood && !lastGood.missingTitle ? lastGood : null) : current });
  }
  return byKey;
}

function groupBy<T>(items: Iterable<T>, key: (t: T) => string | null): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    if (k !== null) out.set(k, [...(out.get(k) ?? []), t]);
  }
  return out;
}

const unique = <T>(list: T[] | undefined): T | null => (list && list.length === 1 ? list[0]! : null);

/**
 * Whether a file matched to a sprint entry by number alone is that story's file. Files keyed by number alone (v4,
 * alpha story-1.1.md) are. A v6 name carries the story's slug: one whose slug differs is the same story only if its
 * words are mostly the key's (a reworded slug), since stories get renumbered when a project re-plans and an old file
 * then shares its number with another story.
 */
function likelyStoryFile(layout: BmadLayout, sprintKey: string, f: ResolvedFile): boolean {
  // A file whose status is no BMAD status ("GO — proceed to Story 32.2") is a note beside the story, not its file.
  const value = f.facts?.status?.value ?? null;
  if (value !== null && !(statusLike(value) && mapStoryStatus(value, layout).known)) return false;
  if (f.input.ref.style === 'v4' || f.input.ref.style === 'alpha0') return true;
  const words = (s: string) =>
    new Set(
      s
        .toLowerCase()
        .replace(/^\d+-\d+[a-z]?-/, '')
        .split(/[^a-z0-9]+/)
        .filter((w) => w.length > 2),
    );
  const key = words(sprintKey);
  const overlap = (other: Set<string>) => {
    const both = [...other].filter((w) => key.has(w)).length;
    const union = new Set([...key, ...other]).size;
    return union === 0 ? 0 : both / union;
  };
  return Math.max(overlap(words(f.input.ref.key)), overlap(words(f.facts?.title ?? ''))) >= 0.5;
}

/** The one unclaimed file whose key is a longer version of this (truncated) key, if exactly one is. */
function truncatedMatch(
  key: string,
  pool: Iterable<ResolvedFile>,
  keyOf: (f: ResolvedFile) => string | null,
  used: ReadonlySet<ResolvedFile>,
): ResolvedFile | null {
  if (key.length < TRUNCATION_MIN) return null;
  const hits = [...pool].filter((f) => {
    const k = keyOf(f);
    return k !== null && k !== key && k.startsWith(key) && !used.has(f);
  });
  return hits.length === 1 ? hits[0]! : null;
}

/** Every story sprint-status lists, with the story file and spec that belong to it. */
function addSprintStories(
  st: BuildState,
  sprintStories: readonly SprintEntry[],
  sprintKeys: ReadonlySet<string>,
  files: Map<string, ResolvedFile>,
  specs: Map<string, ResolvedFile>,
  specByStoryKey: ReadonlyMap<string, ResolvedFile>,
): void {
  const sprintByNumbers = groupBy(sprintStories, (e) => (e.ref.kind === 'story' ? numberKey(e.ref) : null));
  const unclaimedByNumbers = groupBy(
    [...files.values()].filter((f) => !sprintKeys.has(f.input.ref.key)),
    (f) => numberKey(f.input.ref),
  );
  const specByNumbers = groupBy([...specs.values()], (f) => numberKey(f.input.ref));
  const used = st.used;
  for (const e of sprintStories) {
    if (e.ref.kind !== 'story') continue;
    let file = files.get(e.key) ?? truncatedMatch(e.key, files.values(), (f) => f.input.ref.key, used) ?? null;
    const nk = numberKey(e.ref);
    if (!file && nk !== null && sprintByNumbers.get(nk)?.length === 1) {
      const candidate = unique(unclaimedByNumbers.get(nk));
      if (candidate && likelyStoryFile(st.input.layout, e.key, candidate)) file = candidate;
    }
    if (file && used.has(file)) file = null;
    let spec = specByStoryKey.get(e.key) ?? truncatedMatch(e.key, specs.values(), (f) => trackedKeyOfSpec(f.input.ref.key), used) ?? null;
    if (!spec && nk !== null && sprintByNumbers.get(nk)?.length === 1) spec = unique(specByNumbers.get(nk));
    if (spec && used.has(spec)) spec = null;
    if (file) used.add(file);
    if (spec) used.add(spec);
    addStory(st, e.key, e.ref, e, file, spec);
  }
}

/** Files and specs no sprint entry claimed: stories of their own, or documents of the nearest story. */
function addUnclaimedStories(
  st: BuildState,
  sprintKeys: ReadonlySet<string>,
  files: Map<string, ResolvedFile>,
  specs: Map<string, ResolvedFile>,
  specByStoryKey: ReadonlyMap<string, ResolvedFile>,
): void {
  const { layout, sprint } = st.input;
  const used = st.used;
  const known = (f: ResolvedFile) =>
    f.facts?.status != null &&
    statusLike(f.facts.status.value) &&
    mapStoryStatus(f.facts.status.value, layout, { blockedIsKnown: f.input.ref.style === 'spec' }).known;
  const nearest = (f: ResolvedFile): string | null => {
    const nk = numberKey(f.input.ref);
    if (nk === null) return null;
    const hits = st.stories.filter((s) => numberKey(s.order) === nk);
    return hits.length === 1 ? hits[0]!.key : null;
  };
  for (const f of files.values()) {
    if (used.has(f) || sprintKeys.has(f.input.ref.key)) continue;
    // A file that could not be parsed and was never parsed cleanly: reported in errors, nothing to show.
    if (!f.facts) continue;
    if (sprint && !known(f)) {
      st.attachedFiles.set(f.input.file.rel, nearest(f));
      continue;
    }
    // A story file with no status at all and no sprint-status to name it is not a story either.
    if (!sprint && f.facts.status !== null && !statusLike(f.facts.status.value)) {
      st.attachedFiles.set(f.input.file.rel, nearest(f));
      continue;
    }
    const candidate = specByStoryKey.get(f.input.ref.key) ?? null;
    const spec = candidate && !used.has(candidate) ? candidate : null;
    if (spec) used.add(spec);
    used.add(f);
    addStory(st, f.input.ref.key, f.input.ref, null, f, spec);
  }
  for (const s of specs.values()) {
    if (used.has(s) || !s.facts) continue;
    if (!known(s)) {
      st.attachedFiles.set(s.input.file.rel, nearest(s));
      continue;
    }
    // An untracked spec (no story of its own): a story keyed by the spec.
    addStory(st, s.input.ref.key, s.input.ref, null, null, s);
  }
}

function addStory(st: BuildState, key: string, ref: RefParts, sprintEntry: SprintEntry | null, file: ResolvedFile | null, spec: ResolvedFile | null): void {
  const { layout, sprintFile, headingTitles } = st.input;
  const fileFacts = file?.facts ?? null;
  const specFacts = spec?.facts ?? null;
  const records: StoryRecordRef[] = [];
  if (sprintEntry && sprintFile) records.push({ kind: 'sprint-status', file: sprintFile.rel, line: sprintEntry.line, value: sprintEntry.value });
  if (file)
    records.push({
      kind: 'story-file',
      file: file.input.file.rel,
      line: fileFacts?.status?.line ?? null,
      value: fileFacts?.status ? cleanStatusValue(fileFacts.status.value) : null,
    });
  if (spec)
    records.push({
      kind: 'spec',
      file: spec.input.file.rel,
      line: specFacts?.status?.line ?? null,
      value: specFacts?.status ? cleanStatusValue(specFacts.status.value) : null,
    });

  const values = { sprint: sprintEntry?.value ?? null, spec: specFacts?.status?.value ?? null, file: fileFacts?.status?.value ?? null };
  const { sourceStatus, mapping } = resolveStoryStatus(layout, values.sprint, values.spec, values.file);
  const nk = numberKey(ref);
  const title = fileFacts?.title ?? specFacts?.title ?? (nk !== null ? headingTitles.get(nk) : undefined) ?? (st.input.lite ? key : titleFromStoryKey(key));
  reportStatusFindings(st, key, records, mapping, values);
  if (file) st.keyByFile.set(file.input.file.rel, key);
  if (spec) st.keyByFile.set(spec.input.file.rel, key);
  const baseline =
    stringField(specFacts?.frontMatter, 'baseline_commit') ??
    stringField(specFacts?.frontMatter, 'baseline_revision') ??
    stringField(fileFacts?.frontMatter, 'baseline_commit');
  const mtimes = [file?.input.file.mtimeMs, spec?.input.file.mtimeMs].filter((m): m is number => m !== undefined);
  st.stories.push({
    key,
    epicKey: ref.epic,
    title,
    file: file?.input.file.rel ?? spec?.input.file.rel ?? null,
    sourceStatus,
    column: mapping ? mapping.column : columnForStage(layout, 'backlog'),
    status: mapping ? mapping.status : 'queued',
    tasksDone: fileFacts?.tasks?.done ?? specFacts?.tasks?.done ?? null,
    tasksTotal: fileFacts?.tasks?.total ?? specFacts?.tasks?.total ?? null,
    agentModel: fileFacts?.agentModel ?? specFacts?.agentModel ?? null,
    mtimeMs: mtimes.length > 0 ? Math.max(...mtimes) : (sprintFile?.mtimeMs ?? 0),
    records,
    reviewFindings: sumFindings(fileFacts?.reviewFindings ?? null, specFacts?.reviewFindings ?? null),
    deferred: spec ? deferredOf(specFacts?.frontMatter ?? null, spec.input.file.rel) : [],
    baselineCommit: baseline && baseline.trim() !== '' ? baseline.trim().slice(0, 80) : null,
    assignee: null,
    order: { ...ref, key },
  });
}

/** `unknown_status` for a value BMAD does not define, and one `status_drift` naming every record that disagrees. */
function reportStatusFindings(
  st: BuildState,
  key: string,
  records: readonly StoryRecordRef[],
  mapping: ReturnType<typeof mapStoryStatus> | null,
  values: { sprint: string | null; spec: string | null; file: string | null },
): void {
  const sprintFile = st.input.sprintFile;
  if (mapping && !mapping.known) {
    const primary = records.find((r) => r.value !== null && cleanStatusValue(r.value) === mapping.value) ?? records[0];
    st.findings.push({
      kind: 'unknown_status',
      file: primary?.file ?? sprintFile?.rel ?? '',
      line: primary?.line ?? null,
      storyKey: key,
      actual: mapping.value,
      message: `Story ${key} has status "${mapping.value}", which is not a BMAD story status: shown in its own column "${mapping.column}" as ${mapping.status}`,
    });
  }
  // Drift: every record that disagrees with the one the board follows, named in one finding.
  const primaryValue = values.sprint ?? values.spec ?? values.file;
  const primaryKind = values.sprint !== null ? 'sprint-status' : values.spec !== null ? 'spec' : 'story-file';
  const disagreeing = records.filter((r) => {
    if (r.kind === primaryKind || r.value === null || primaryValue === null) return false;
    if (r.kind === 'spec' && primaryKind === 'sprint-status') return !specAgrees(primaryValue, r.value);
    if (r.kind === 'story-file' && primaryKind === 'spec') return !specAgrees(r.value, primaryValue);
    return !sameStoryStatus(primaryValue, r.value);
  });
  if (disagreeing.length === 0 || primaryValue === null) return;
  const first = disagreeing[0]!;
  const says = records.filter((r) => r.value !== null).map((r) => `${posix.basename(r.file)} says "${cleanStatusValue(r.value!)}"`);
  st.findings.push({
    kind: 'status_drift',
    file: first.file,
    line: first.line,
    storyKey: key,
    expected: cleanStatusValue(primaryValue).slice(0, 64),
    actual: cleanStatusValue(first.value!).slice(0, 64),
    message: `Story ${key}: ${says.join(', ')} (the board follows ${primaryKind === 'sprint-status' ? 'sprint-status.yaml' : primaryKind === 'spec' ? 'the Build spec' : 'the story file'})`,
  });
}
