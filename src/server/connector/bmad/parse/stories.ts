import type { BmadIssue, BmadLayout, BmadStory } from '../model.js';
import type { CacheEntry } from './cache.js';
import { derive } from './cache.js';
import type { FileStat } from './files.js';
import { storyTitleFromHeading, type StatusLocation } from './markdown.js';
import type { SprintEntry, SprintStatus } from './sprint-status.js';
import { columnForStage, mapStoryStatus, sameStoryStatus } from './status.js';
import { compareStoryOrder, titleFromStoryKey, type StoryRef } from './story-keys.js';

/** What one story file says, once parsed. */
export interface StoryFileFacts {
  title: string | null;
  status: StatusLocation | null;
  tasks: { done: number; total: number } | null;
  agentModel: string | null;
  error: { line: number | null; message: string } | null;
}

export function storyFileFacts(entry: CacheEntry): { current: StoryFileFacts; lastGood: StoryFileFacts | null } {
  return derive(
    entry,
    'story',
    (): StoryFileFacts => {
      if (entry.facts.type === 'unreadable') return { title: null, status: null, tasks: null, agentModel: null, error: { line: null, message: `cannot read: ${entry.facts.message}` } };
      if (entry.facts.type !== 'markdown') return { title: null, status: null, tasks: null, agentModel: null, error: { line: null, message: 'story file too large to parse' } };
      const md = entry.facts.md;
      const fmTitle = md.frontMatter?.data && typeof md.frontMatter.data['title'] === 'string' ? md.frontMatter.data['title'].trim() : '';
      const title = md.h1 && md.h1.text.trim() !== '' ? storyTitleFromHeading(md.h1.text) : fmTitle !== '' ? fmTitle : null;
      let error: StoryFileFacts['error'] = null;
      if (md.frontMatterError) error = md.frontMatterError;
      else if (title === null) error = { line: 1, message: 'story has no title: expected a "# Story N.M: Title" heading on its first line' };
      return { title, status: md.status, tasks: md.tasks, agentModel: md.agentModel, error };
    },
    (f) => f.error === null,
  );
}

export interface StoryFileInput {
  file: FileStat;
  ref: StoryRef;
  entry: CacheEntry;
}

export interface StoryBuildInput {
  layout: BmadLayout;
  storyFiles: StoryFileInput[];
  sprint: SprintStatus | null;
  sprintFile: FileStat | null;
  /** Story titles from epics.md / PRD headings, by "epic.story[suffix]". */
  headingTitles: ReadonlyMap<string, string>;
}

export interface StoryBuildResult {
  stories: BmadStory[];
  findings: BmadIssue[];
  errors: BmadIssue[];
  /** Story file path -> the story key it was attached to. */
  keyByFile: Map<string, string>;
}

interface ResolvedFile {
  input: StoryFileInput;
  facts: StoryFileFacts | null;
}

const numberKey = (epic: string | null, story: string | null, suffix: string): string | null =>
  epic === null || story === null ? null : `${epic}.${story}${suffix}`;

/**
 * Stories from sprint-status.yaml (the source of truth for the board when present) and story files. A story only
 * in sprint-status still appears; a story file that disagrees with sprint-status raises `status_drift`; values BMAD
 * does not define raise `unknown_status`; a story file that cannot be parsed is reported and its last good parse is
 * used when the cache has one.
 */
export function buildStories(input: StoryBuildInput): StoryBuildResult {
  const { layout, sprint, sprintFile, headingTitles } = input;
  const findings: BmadIssue[] = [];
  const errors: BmadIssue[] = [];
  const keyByFile = new Map<string, string>();

  // One file per key: the shallowest path wins (then alphabetical), so archived copies in subfolders do not compete.
  const files = [...input.storyFiles].sort((a, b) => a.file.rel.split('/').length - b.file.rel.split('/').length || (a.file.rel < b.file.rel ? -1 : 1));
  const byKey = new Map<string, ResolvedFile>();
  for (const f of files) {
    if (byKey.has(f.ref.key)) continue;
    const { current, lastGood } = storyFileFacts(f.entry);
    if (current.error) {
      errors.push({ kind: 'parse_error', file: f.file.rel, line: current.error.line, message: `${f.file.rel}: ${current.error.message}`, storyKey: f.ref.key });
    }
    byKey.set(f.ref.key, { input: f, facts: current.error ? lastGood : current });
  }

  const stories: Array<BmadStory & { order: { epic: string | null; story: string | null; suffix: string; key: string } }> = [];
  const used = new Set<string>();
  const sprintStories = sprint ? sprint.entries.filter((e) => e.ref.kind === 'story') : [];
  const sprintKeys = new Set(sprintStories.map((e) => e.key));

  // Files whose key differs from the sprint key but whose numbers match exactly one sprint story (story-1.1.md, a renamed slug).
  const byNumbers = new Map<string, ResolvedFile[]>();
  for (const f of byKey.values()) {
    if (sprintKeys.has(f.input.ref.key)) continue;
    const nk = numberKey(f.input.ref.epic, f.input.ref.story, f.input.ref.suffix);
    if (nk === null) continue;
    byNumbers.set(nk, [...(byNumbers.get(nk) ?? []), f]);
  }
  const sprintByNumbers = new Map<string, number>();
  for (const e of sprintStories) {
    if (e.ref.kind !== 'story') continue;
    const nk = numberKey(e.ref.epic, e.ref.story, e.ref.suffix);
    if (nk !== null) sprintByNumbers.set(nk, (sprintByNumbers.get(nk) ?? 0) + 1);
  }

  const addStory = (key: string, ref: { epic: string | null; story: string | null; suffix: string }, sprintEntry: SprintEntry | null, file: ResolvedFile | null): void => {
    const facts = file?.facts ?? null;
    const fileStatus = facts?.status ?? null;
    const sprintValue = sprintEntry?.value ?? null;
    const sourceStatus = sprintValue ?? fileStatus?.value ?? null;
    const mapping = sourceStatus !== null ? mapStoryStatus(sourceStatus, layout) : null;
    const nk = numberKey(ref.epic, ref.story, ref.suffix);
    const title = facts?.title ?? (nk !== null ? headingTitles.get(nk) : undefined) ?? titleFromStoryKey(key);
    const rel = file?.input.file.rel ?? null;

    if (mapping && !mapping.known) {
      const fromSprint = sprintValue !== null;
      findings.push({
        kind: 'unknown_status',
        file: fromSprint ? sprintFile!.rel : rel!,
        line: fromSprint ? sprintEntry!.line : fileStatus!.line,
        storyKey: key,
        actual: mapping.value,
        message: `Story ${key} has status "${mapping.value}", which is not a BMAD story status: shown in its own column "${mapping.column}" as ${mapping.status}`,
      });
    }
    if (sprintValue !== null && fileStatus && rel !== null && !sameStoryStatus(sprintValue, fileStatus.value)) {
      findings.push({
        kind: 'status_drift',
        file: rel,
        line: fileStatus.line,
        storyKey: key,
        expected: sprintValue,
        actual: fileStatus.value,
        message: `Story ${key}: the story file says "${fileStatus.value}" but ${sprintFile!.rel} says "${sprintValue}" (sprint-status.yaml is the source of truth)`,
      });
    }
    if (rel !== null) keyByFile.set(rel, key);
    stories.push({
      key,
      epicKey: ref.epic,
      title,
      file: rel,
      sourceStatus,
      column: mapping ? mapping.column : columnForStage(layout, 'backlog'),
      status: mapping ? mapping.status : 'queued',
      tasksDone: facts?.tasks ? facts.tasks.done : null,
      tasksTotal: facts?.tasks ? facts.tasks.total : null,
      agentModel: facts?.agentModel ?? null,
      mtimeMs: file ? file.input.file.mtimeMs : (sprintFile?.mtimeMs ?? 0),
      order: { ...ref, key },
    });
  };

  for (const e of sprintStories) {
    if (e.ref.kind !== 'story') continue;
    let file = byKey.get(e.key) ?? null;
    if (!file) {
      const nk = numberKey(e.ref.epic, e.ref.story, e.ref.suffix);
      const candidates = nk !== null && sprintByNumbers.get(nk) === 1 ? (byNumbers.get(nk) ?? []) : [];
      if (candidates.length === 1) file = candidates[0]!;
    }
    if (file) used.add(file.input.ref.key);
    addStory(e.key, e.ref, e, file);
  }
  for (const f of byKey.values()) {
    if (used.has(f.input.ref.key) || sprintKeys.has(f.input.ref.key)) continue;
    // A file that could not be parsed and was never parsed cleanly: reported in errors, nothing to show.
    if (!f.facts) continue;
    addStory(f.input.ref.key, f.input.ref, null, f);
  }

  stories.sort((a, b) => compareStoryOrder(a.order, b.order));
  return { stories: stories.map(({ order: _order, ...s }) => s), findings, errors, keyByFile };
}
