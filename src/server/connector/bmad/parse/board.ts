import { posix } from 'node:path';
import type { Status } from '../../../../contracts/index.js';
import type { BmadEpic, BmadIssue, BmadLayout, BmadStory } from '../model.js';
import { derive } from './cache.js';
import { resolveConfigPath, type ProjectPaths } from './config.js';
import type { FileStat } from './files.js';
import { buildSpecFolderStories } from './spec-folders.js';
import { fastSprintStatus, parseSprintStatus, type SprintStatus } from './sprint-status.js';
import { classifyPlanningPath } from './planning.js';
import { cleanStatusValue } from './status.js';
import { buildStories, resolveStoryStatus, storyFileFacts, type StoryFileInput } from './stories.js';
import { storyRefFromFileName } from './story-keys.js';
import type { StoryRecordRef } from '../model.js';
import { buildTicketBoard, derivedEpicStatus, epicStatusOf, verdictOf, type ProjectFile } from './tickets.js';
import { stringField } from './yaml-text.js';

export type { ProjectFile } from './tickets.js';

/**
 * The board of a project at one point in time, from its files alone: stories with their status and every record of
 * it, epics with theirs, and what disagrees. The working-tree scan and every commit of the git history go through
 * this same function, so a status means the same thing now and in the past.
 */
export interface BoardInput {
  layout: BmadLayout;
  paths: ProjectPaths;
  /** Files under the project's BMAD folders (and the sprint-status candidates), by project-relative path. */
  files: ReadonlyMap<string, ProjectFile>;
  /** Story titles from epics.md / PRD headings ("epic.story" -> title), and epic titles; optional (history skips them). */
  headingTitles?: ReadonlyMap<string, string>;
  epicTitles?: ReadonlyMap<string, string>;
  /** The last sprint-status that parsed, for a version that does not (a bad save, committed conflict markers). */
  lastGoodSprint?: SprintStatus | null;
  /**
   * Read sprint-status.yaml's `development_status` line by line when it is the plain `key: value` block BMAD writes
   * (the YAML parser only for anything else): the history reads thousands of versions, the working tree one.
   */
  fastSprint?: boolean;
  root?: string;
}

export interface BoardState {
  /** `v6-tickets` when an initiative/ticket tree is present (it replaces sprint-status.yaml). */
  layout: BmadLayout;
  stories: BmadStory[];
  epics: BmadEpic[];
  findings: BmadIssue[];
  errors: BmadIssue[];
  keyByFile: Map<string, string>;
  attachedFiles: Map<string, string | null>;
  sprint: SprintStatus | null;
  sprintFile: FileStat | null;
  /** Story folders actually used (config, plus sprint-status's own story_location). */
  storyDirs: string[];
  /** From restatusBoard: the stories and epics (`story:<key>`, `epic:<key>`) whose status changed; all others kept theirs. */
  changed?: Set<string>;
}

const under = (rel: string, dir: string): boolean => rel === dir || rel.startsWith(`${dir}/`);

function ticketTreePresent(files: ReadonlyMap<string, ProjectFile>, output: string): boolean {
  for (const rel of files.keys()) {
    if (!rel.startsWith(`${output}/`)) continue;
    const rest = rel.slice(output.length + 1);
    if (/^initiative-[^/]+\/(?:tickets\.toml|epic-[^/]+\/)/.test(rest) || /^backlog\/[^/]+-plan\.md$/.test(rest)) return true;
  }
  return false;
}

function sprintOf(pf: ProjectFile, lastGood: SprintStatus | null, errors: BmadIssue[], fast: boolean): SprintStatus | null {
  if (pf.entry.facts.type !== 'text') {
    errors.push({ kind: 'parse_error', file: pf.file.rel, line: null, message: `${pf.file.rel}: cannot be read` });
    return lastGood;
  }
  const text = pf.entry.facts.text;
  const { current, lastGood: cached } = derive(
    pf.entry,
    'sprint-status',
    () => (fast ? (fastSprintStatus(text) ?? parseSprintStatus(text)) : parseSprintStatus(text)),
    (s) => s.error === null,
  );
  if (!current.error) return current;
  errors.push({ kind: 'parse_error', file: pf.file.rel, line: current.error.line, message: `${pf.file.rel}: ${current.error.message}` });
  // Entries read line by line beat the last good parse: they are what the file says now.
  if (current.recovered && current.entries.length > 0) return { ...current, actionItems: (cached ?? lastGood)?.actionItems ?? [] };
  return cached ?? lastGood;
}

/** Parses a sprint-status version now (the fast way first) and drops its text: what the board needs is kept. */
export function prepareSprint(pf: ProjectFile): void {
  if (pf.entry.facts.type !== 'text') return;
  const text = pf.entry.facts.text;
  derive(
    pf.entry,
    'sprint-status',
    () => fastSprintStatus(text) ?? parseSprintStatus(text),
    (s) => s.error === null,
  );
  pf.entry.facts.text = '';
}

const SPRINT_EPIC_STATUS: Readonly<Record<string, Status>> = { backlog: 'queued', inprogress: 'in_progress', contexted: 'in_progress', done: 'done' };

/** Retrospectives: the sprint-status entry, and the verdict of the newest retrospective document of the epic. */
function addRetrospectives(epics: Map<string, BmadEpic>, sprint: BoardState['sprint'], files: BoardInput['files']): void {
  const retroDocs = [...files.values()]
    .filter((f) => /(?:^|\/)epic-([A-Za-z0-9]+)-retro(?:spective)?(?:-[^/]*)?\.md$/i.test(f.file.rel))
    .sort((a, b) => (a.file.rel < b.file.rel ? -1 : 1));
  for (const e of sprint?.entries ?? []) {
    if (e.ref.kind !== 'retrospective') continue;
    const epic = epics.get(e.ref.epic);
    if (epic) epics.set(epic.key, { ...epic, retrospective: { status: e.value, verdict: null, file: null } });
  }
  for (const doc of retroDocs) {
    const key = /epic-([A-Za-z0-9]+)-retro/i.exec(posix.basename(doc.file.rel))![1]!;
    const epicKey = /^\d+$/.test(key) ? String(Number(key)) : key;
    const epic = epics.get(epicKey);
    if (!epic) continue;
    const fm = doc.entry.facts.type === 'markdown' ? (doc.entry.facts.md.frontMatter?.data ?? null) : null;
    const verdict = verdictOf(stringField(fm, 'verdict'));
    epics.set(epicKey, {
      ...epic,
      retrospective: { status: epic.retrospective?.status ?? null, verdict: verdict ?? epic.retrospective?.verdict ?? null, file: doc.file.rel },
    });
  }
}

/** An epic or a retrospective marked done while stories of the epic are not (BMAD-METHOD #2341, #2852). */
function epicDriftFindings(
  epics: ReadonlyMap<string, BmadEpic>,
  storiesOf: (key: string) => BmadStory[],
  sprint: BoardState['sprint'],
  sprintPf: ProjectFile | null,
): BmadIssue[] {
  const out: BmadIssue[] = [];
  for (const epic of epics.values()) {
    const open = storiesOf(epic.key).filter((s) => s.status !== 'done' && s.status !== 'canceled');
    if (open.length === 0) continue;
    const names =
      open
        .slice(0, 5)
        .map((s) => `${s.key} (${s.sourceStatus ?? s.column})`)
        .join(', ') + (open.length > 5 ? `, and ${open.length - 5} more` : '');
    if (epic.sourceStatus !== null && epicStatusOf(epic.sourceStatus) === 'done') {
      out.push({
        kind: 'epic_drift',
        file: epic.file ?? sprintPf?.file.rel ?? '',
        line: epic.line,
        expected: 'done',
        actual: `${open.length} open`,
        message: `Epic ${epic.key} is marked done but ${open.length} of its stories ${open.length === 1 ? 'is' : 'are'} not: ${names}`,
      });
    }
    if (epic.retrospective?.status && /^(?:done|completed)$/i.test(epic.retrospective.status)) {
      const line = sprint?.entries.find((x) => x.ref.kind === 'retrospective' && x.ref.epic === epic.key)?.line ?? null;
      out.push({
        kind: 'epic_drift',
        file: sprintPf?.file.rel ?? epic.retrospective.file ?? '',
        line,
        expected: 'done',
        actual: `${open.length} open`,
        message: `The retrospective of epic ${epic.key} is done but ${open.length} of its stories ${open.length === 1 ? 'is' : 'are'} not: ${names}`,
      });
    }
  }
  return out;
}

export function deriveBoard(input: BoardInput): BoardState {
  const { paths, files } = input;
  const output = paths.outputDir;
  if (input.layout !== 'v4' && output !== null && ticketTreePresent(files, output)) {
    const t = buildTicketBoard(files, output);
    return { layout: 'v6-tickets', ...t, attachedFiles: new Map(), sprint: null, sprintFile: null, storyDirs: paths.storyDirs };
  }
  const errors: BmadIssue[] = [];
  const findings: BmadIssue[] = [];
  const sprintPf = paths.sprintStatusCandidates.map((c) => files.get(c)).find((f): f is ProjectFile => f !== undefined) ?? null;
  const sprint = sprintPf ? sprintOf(sprintPf, input.lastGoodSprint ?? null, errors, input.fastSprint === true) : null;

  // sprint-status.yaml may name another story folder (a project migrated from docs/sprint-artifacts).
  const storyDirs = [...paths.storyDirs];
  const located =
    sprint?.storyLocation && input.root
      ? resolveConfigPath(input.root, sprint.storyLocation)
      : sprint?.storyLocation
        ? resolveConfigPath('/', sprint.storyLocation.replace(/^\{project-root\}\/?/, ''))
        : null;
  if (located && !storyDirs.includes(located)) storyDirs.push(located);

  const storyFiles: StoryFileInput[] = [];
  const specFiles: StoryFileInput[] = [];
  for (const pf of files.values()) {
    if (!storyDirs.some((d) => under(pf.file.rel, d))) continue;
    const ref = storyRefFromFileName(posix.basename(pf.file.rel));
    if (!ref) continue;
    (ref.style === 'spec' ? specFiles : storyFiles).push({ file: pf.file, ref, entry: pf.entry });
  }
  const built = buildStories({
    layout: input.layout,
    storyFiles,
    specFiles,
    sprint,
    sprintFile: sprintPf?.file ?? null,
    headingTitles: input.headingTitles ?? new Map(),
    lite: input.fastSprint === true,
  });
  errors.push(...built.errors);
  findings.push(...built.findings);
  const specFolders = output !== null ? buildSpecFolderStories(files, output) : { stories: [], epics: [], errors: [] };
  errors.push(...specFolders.errors);
  const stories = [...built.stories, ...specFolders.stories.filter((s) => !built.stories.some((b) => b.key === s.key))];

  // Epics: sprint-status order and status, titles from epics.md / PRD headings, plus any epic a story names.
  const epicTitles = input.epicTitles ?? new Map<string, string>();
  const epics = new Map<string, BmadEpic>();
  const storiesOf = (key: string) => stories.filter((s) => s.epicKey === key);
  for (const e of sprint?.entries ?? []) {
    if (e.ref.kind !== 'epic' || epics.has(e.ref.epic)) continue;
    const token = (e.value ?? '').toLowerCase().replace(/[^a-z0-9]/g, '');
    epics.set(e.ref.epic, {
      key: e.ref.epic,
      title: epicTitles.get(e.ref.epic) ?? null,
      sourceStatus: e.value,
      status: SPRINT_EPIC_STATUS[token] ?? derivedEpicStatus(storiesOf(e.ref.epic)),
      file: sprintPf?.file.rel ?? null,
      line: e.line,
      retrospective: null,
    });
  }
  for (const e of specFolders.epics) if (!epics.has(e.key)) epics.set(e.key, e);
  for (const [key, title] of epicTitles)
    if (!epics.has(key))
      epics.set(key, { key, title, sourceStatus: null, status: derivedEpicStatus(storiesOf(key)), file: null, line: null, retrospective: null });
  for (const s of stories) {
    if (s.epicKey !== null && !epics.has(s.epicKey))
      epics.set(s.epicKey, {
        key: s.epicKey,
        title: null,
        sourceStatus: null,
        status: derivedEpicStatus(storiesOf(s.epicKey)),
        file: null,
        line: null,
        retrospective: null,
      });
  }

  addRetrospectives(epics, sprint, files);
  findings.push(...epicDriftFindings(epics, storiesOf, sprint, sprintPf));
  const epicList = [...epics.values()].sort((a, b) => {
    const na = /^\d+$/.test(a.key) ? Number(a.key) : Number.MAX_SAFE_INTEGER;
    const nb = /^\d+$/.test(b.key) ? Number(b.key) : Number.MAX_SAFE_INTEGER;
    return na - nb || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  });
  return {
    layout: input.layout,
    stories,
    epics: epicList,
    findings,
    errors,
    keyByFile: built.keyByFile,
    attachedFiles: built.attachedFiles,
    sprint,
    sprintFile: sprintPf?.file ?? null,
    storyDirs,
  };
}

/**
 * Whether the changed files only change values the board already has: the new sprint-status (same keys, same order)
 * and the story files create-story added for keys sprint-status lists. Null when the structure may have changed.
 */
function valueOnlyChanges(
  prev: BoardState,
  input: BoardInput,
  changed: readonly string[],
): { sprint: BoardState['sprint']; added: Map<string, string> } | null {
  let sprint = prev.sprint;
  const added = new Map<string, string>();
  for (const rel of changed) {
    const pf = input.files.get(rel);
    if (!pf) return null;
    if (prev.sprintFile && rel === prev.sprintFile.rel) {
      const next = sprintOf(pf, prev.sprint, [], input.fastSprint === true);
      if (!next || !prev.sprint || next.entries.length !== prev.sprint.entries.length) return null;
      for (let i = 0; i < next.entries.length; i++) if (next.entries[i]!.key !== prev.sprint.entries[i]!.key) return null;
      sprint = next;
      continue;
    }
    if (prev.keyByFile.has(rel)) continue;
    // The usual new file: create-story writes `<key>.md` for a key sprint-status already lists. It is that story's file.
    const ref = storyRefFromFileName(posix.basename(rel));
    if (
      ref &&
      ref.style === 'v6' &&
      prev.storyDirs.some((d) => under(rel, d)) &&
      prev.stories.some((s) => s.key === ref.key && s.records.length === 1 && s.records[0]!.kind === 'sprint-status')
    ) {
      added.set(ref.key, rel);
      continue;
    }
    // A planning document changes no story; anything else might (a retrospective, a note that became a story).
    if (!(classifyPlanningPath(rel)?.primary && !/retro/i.test(rel))) return null;
  }
  return { sprint, added };
}

/**
 * The board after only the contents of files it already has changed (the same files, the same sprint-status keys):
 * every story's status is resolved again from its records, nothing is matched anew. Null when the structure may have
 * changed (a key added or removed, a file it does not know, a retrospective, the ticket layout): derive from scratch.
 * The history reads thousands of commits; most only change values.
 */
export function restatusBoard(prev: BoardState, input: BoardInput, changed: readonly string[]): BoardState | null {
  if (prev.layout === 'v6-tickets') return null;
  const plan = valueOnlyChanges(prev, input, changed);
  if (!plan) return null;
  const { sprint, added } = plan;
  const keyByFile = added.size === 0 ? prev.keyByFile : new Map(prev.keyByFile);
  for (const [key, rel] of added) keyByFile.set(rel, key);
  // Which stories can have changed: those whose sprint-status value changed, and those whose files changed.
  const touched = new Set<string>();
  const sprintValue = new Map<string, { value: string | null; line: number }>();
  const epicValue = new Map<string, { value: string | null; line: number }>();
  if (sprint !== prev.sprint && sprint && prev.sprint) {
    sprint.entries.forEach((e, i) => {
      const was = prev.sprint!.entries[i]!;
      if (e.value === was.value) return;
      if (e.ref.kind === 'story') {
        sprintValue.set(e.key, { value: e.value, line: e.line });
        touched.add(e.key);
      } else if (e.ref.kind === 'epic') epicValue.set(e.ref.epic, { value: e.value, line: e.line });
    });
  }
  for (const rel of changed) {
    const key = keyByFile.get(rel);
    if (key !== undefined) touched.add(key);
  }
  const valueOf = (file: string): { value: string | null; line: number | null } => {
    const pf = input.files.get(file);
    const facts = pf ? storyFileFacts(pf.entry) : null;
    const f = facts ? (facts.current.error ? facts.lastGood : facts.current) : null;
    return { value: f?.status?.value ?? null, line: f?.status?.line ?? null };
  };
  const changedRefs = new Set<string>();
  const stories = prev.stories.map((s) => {
    if (!touched.has(s.key)) return s;
    let sprintV: string | null = null;
    let specV: string | null = null;
    let fileV: string | null = null;
    const newFile = added.get(s.key);
    const withFile: StoryRecordRef[] = newFile ? [...s.records, { kind: 'story-file', file: newFile, line: null, value: null }] : s.records;
    const records = withFile.map((r) => {
      if (r.kind === 'sprint-status') {
        const v = sprintValue.get(s.key);
        sprintV = v ? v.value : r.value;
        return v ? { ...r, value: v.value, line: v.line } : r;
      }
      if (r.kind === 'story-file' || r.kind === 'spec') {
        const v = valueOf(r.file);
        if (r.kind === 'spec') specV = v.value;
        else fileV = v.value;
        return { ...r, value: v.value !== null ? cleanStatusValue(v.value) : null, line: v.line };
      }
      return r;
    });
    const { sourceStatus, mapping } = resolveStoryStatus(prev.layout, sprintV, specV, fileV);
    if (!newFile && sourceStatus === s.sourceStatus && mapping?.column === s.column) return s;
    if (sourceStatus !== s.sourceStatus || mapping?.column !== s.column) changedRefs.add(`story:${s.key}`);
    return {
      ...s,
      records,
      ...(newFile ? { file: newFile } : {}),
      sourceStatus,
      column: mapping ? mapping.column : s.column,
      status: mapping ? mapping.status : s.status,
    };
  });
  const touchedEpics = new Set(stories.filter((s, i) => s !== prev.stories[i]).map((s) => s.epicKey));
  const epics = prev.epics.map((e) => {
    const v = epicValue.get(e.key);
    if (v && v.value === e.sourceStatus) return e;
    if (!v && (e.sourceStatus !== null || !touchedEpics.has(e.key))) return e;
    const own = stories.filter((s) => s.epicKey === e.key);
    const token = (v?.value ?? '').toLowerCase().replace(/[^a-z0-9]/g, '');
    const next = v
      ? { ...e, sourceStatus: v.value, line: v.line, status: SPRINT_EPIC_STATUS[token] ?? derivedEpicStatus(own) }
      : { ...e, status: derivedEpicStatus(own) };
    if (next.status !== e.status || next.sourceStatus !== e.sourceStatus) changedRefs.add(`epic:${e.key}`);
    return next;
  });
  return { ...prev, stories, epics, sprint, keyByFile, changed: changedRefs };
}
