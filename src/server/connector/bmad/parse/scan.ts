import { basename, posix, resolve } from 'node:path';
import type { BmadDocument, BmadEpic, BmadIssue, BmadPlanningArtifact, BmadSnapshot } from '../model.js';
import { derive, ParseCache, ScanFiles, type CacheEntry } from './cache.js';
import { readProjectPaths, type ProjectPaths } from './config.js';
import { mapLimit, mimeTypeFor, statFile, walkFiles, type FileStat } from './files.js';
import { detectLayout } from './layout.js';
import type { MarkdownFacts } from './markdown.js';
import { classifyPlanningPath, planningComplete, stepsCompletedOf, WORKFLOW_ALIASES, WORKFLOW_BY_KIND, type PlanningKind } from './planning.js';
import { parseSprintStatus, type SprintStatus } from './sprint-status.js';
import { columnsForLayout } from './status.js';
import { buildStories, type StoryFileInput } from './stories.js';
import { slugify, storyKeyOfContextFile, storyKeyOfQaFile, storyRefFromFileName } from './story-keys.js';
import { parseWorkflowStatus } from './workflow-status.js';

export interface ScanOptions {
  /** Hand the same cache to every scan of a project: only files whose (mtimeMs, size) changed are re-read. */
  cache?: ParseCache;
}

const under = (rel: string, dir: string): boolean => rel === dir || rel.startsWith(`${dir}/`);

function markdownOf(entry: CacheEntry): MarkdownFacts | null {
  return entry.facts.type === 'markdown' ? entry.facts.md : null;
}

function titleOf(file: FileStat, entry: CacheEntry): string {
  const md = markdownOf(entry);
  if (md?.h1 && md.h1.text.trim() !== '') return md.h1.text.trim();
  const fmTitle = md?.frontMatter?.data?.['title'];
  if (typeof fmTitle === 'string' && fmTitle.trim() !== '') return fmTitle.trim();
  return basename(file.rel);
}

async function firstExisting(root: string, all: ReadonlyMap<string, FileStat>, candidates: readonly string[]): Promise<FileStat | null> {
  for (const c of candidates) {
    const known = all.get(c) ?? (await statFile(root, c));
    if (known) return known;
  }
  return null;
}

/**
 * Reads a BMAD project folder into a snapshot: layout, config, epics, stories (sprint-status.yaml first), planning
 * artifacts, documents, findings (drift, unknown statuses) and errors (files that could not be parsed). Throws only
 * when the folder holds no BMAD project; one bad file never stops the scan.
 */
export async function scanBmadProject(root: string, opts: ScanOptions = {}): Promise<BmadSnapshot> {
  const rootAbs = resolve(root);
  const detected = await detectLayout(rootAbs);
  const layout = detected.layout;
  const cache = opts.cache ?? new ParseCache();
  const files = new ScanFiles(rootAbs, cache);
  const { paths, errors: configErrors } = await readProjectPaths(rootAbs, detected, files);
  const errors: BmadIssue[] = [...configErrors];
  const findings: BmadIssue[] = [];

  const all = await walkFiles(rootAbs, [...paths.documentDirs, ...paths.storyDirs, ...paths.planningDirs]);
  const sprintFile = await firstExisting(rootAbs, all, paths.sprintStatusCandidates);
  const workflowFile = await firstExisting(rootAbs, all, paths.workflowStatusCandidates);
  if (sprintFile) all.set(sprintFile.rel, sprintFile);
  if (workflowFile) all.set(workflowFile.rel, workflowFile);

  const fileList = [...all.values()];
  const loaded = await mapLimit(fileList, 32, (f) => files.load(f));
  const entries = new Map<string, CacheEntry>();
  fileList.forEach((f, i) => entries.set(f.rel, loaded[i]!));

  // sprint-status.yaml
  let sprint: SprintStatus | null = null;
  if (sprintFile) {
    const entry = entries.get(sprintFile.rel)!;
    if (entry.facts.type === 'text') {
      const text = entry.facts.text;
      const { current, lastGood } = derive(entry, 'sprint-status', () => parseSprintStatus(text), (s) => s.error === null);
      if (current.error) {
        errors.push({ kind: 'parse_error', file: sprintFile.rel, line: current.error.line, message: `${sprintFile.rel}: ${current.error.message}` });
        sprint = lastGood;
      } else sprint = current;
    } else errors.push({ kind: 'parse_error', file: sprintFile.rel, line: null, message: `${sprintFile.rel}: cannot be read` });
  }

  // Story files.
  const storyFiles: StoryFileInput[] = [];
  for (const f of fileList) {
    if (!paths.storyDirs.some((d) => under(f.rel, d))) continue;
    const ref = storyRefFromFileName(posix.basename(f.rel));
    if (ref) storyFiles.push({ file: f, ref, entry: entries.get(f.rel)! });
  }
  const storyFileSet = new Set(storyFiles.map((s) => s.file.rel));

  // Planning documents (and epic/story headings from epics and PRD documents).
  const planning: BmadPlanningArtifact[] = [];
  const kindByFile = new Map<string, PlanningKind>();
  const epicTitles = new Map<string, string>();
  const headingTitles = new Map<string, string>();
  const headingSources: Array<{ rank: number; md: MarkdownFacts }> = [];
  for (const f of fileList) {
    if (storyFileSet.has(f.rel) || !/\.md$/i.test(f.rel)) continue;
    const cls = classifyPlanningPath(f.rel);
    if (!cls) continue;
    kindByFile.set(f.rel, cls.kind);
    const entry = entries.get(f.rel)!;
    const md = markdownOf(entry);
    if (md && (cls.kind === 'epics' || cls.kind === 'prd')) headingSources.push({ rank: (cls.kind === 'epics' ? 0 : 2) + (cls.primary ? 0 : 1), md });
    if (!cls.primary || !paths.planningDirs.some((d) => under(f.rel, d)) || !md) continue;
    const { current, lastGood } = derive(entry, 'planning', () => ({ data: md.frontMatter?.data ?? null, error: md.frontMatterError }), (p) => p.error === null);
    if (current.error) errors.push({ kind: 'parse_error', file: f.rel, line: current.error.line, message: `${f.rel}: ${current.error.message}` });
    const fm = current.error ? lastGood : current;
    if (!fm) continue;
    const workflow = WORKFLOW_BY_KIND[cls.kind];
    const steps = stepsCompletedOf(fm.data);
    planning.push({ workflow, file: f.rel, title: titleOf(f, entry), stepsCompleted: steps, complete: planningComplete(workflow, fm.data, steps), mtimeMs: f.mtimeMs });
  }
  headingSources.sort((a, b) => a.rank - b.rank);
  for (const { md } of headingSources) {
    for (const h of md.epicHeadings) if (h.title && !epicTitles.has(h.key)) epicTitles.set(h.key, h.title);
    for (const h of md.storyHeadings) {
      const k = `${h.epic}.${h.story}${h.suffix}`;
      if (h.title !== '' && !headingTitles.has(k)) headingTitles.set(k, h.title);
    }
  }

  // Alpha workflow status.
  if (workflowFile) {
    const entry = entries.get(workflowFile.rel)!;
    if (entry.facts.type === 'text') {
      const text = entry.facts.text;
      const { current, lastGood } = derive(entry, 'workflow-status', () => parseWorkflowStatus(text), (w) => w.error === null);
      if (current.error) errors.push({ kind: 'parse_error', file: workflowFile.rel, line: current.error.line, message: `${workflowFile.rel}: ${current.error.message}` });
      const wf = current.error ? lastGood : current;
      const covered = new Set(planning.map((p) => p.workflow));
      for (const e of wf?.entries ?? []) {
        const workflow = WORKFLOW_ALIASES[e.id] ?? e.id;
        if (covered.has(workflow)) continue;
        covered.add(workflow);
        const target = e.done ? resolveWorkflowOutput(e.value, paths) : null;
        const targetFile = target ? all.get(target) : undefined;
        planning.push({
          workflow,
          file: targetFile ? targetFile.rel : workflowFile.rel,
          title: targetFile ? titleOf(targetFile, entries.get(targetFile.rel)!) : e.id,
          stepsCompleted: null,
          complete: e.done,
          mtimeMs: targetFile ? targetFile.mtimeMs : workflowFile.mtimeMs,
          workflowStatus: e.value,
        });
      }
    }
  }

  const built = buildStories({ layout, storyFiles, sprint, sprintFile, headingTitles });
  errors.push(...built.errors);
  findings.push(...built.findings);
  const storyKeys = new Set(built.stories.map((s) => s.key));

  // Epics: sprint-status order and status, titles from epics.md / PRD headings, plus any epic a story names.
  const epics = new Map<string, BmadEpic>();
  for (const e of sprint?.entries ?? []) {
    if (e.ref.kind === 'epic' && !epics.has(e.ref.epic)) epics.set(e.ref.epic, { key: e.ref.epic, title: epicTitles.get(e.ref.epic) ?? null, sourceStatus: e.value });
  }
  for (const [key, title] of epicTitles) if (!epics.has(key)) epics.set(key, { key, title, sourceStatus: null });
  for (const s of built.stories) if (s.epicKey !== null && !epics.has(s.epicKey)) epics.set(s.epicKey, { key: s.epicKey, title: null, sourceStatus: null });
  const epicList = [...epics.values()].sort((a, b) => Number(a.key) - Number(b.key) || (a.key < b.key ? -1 : 1));

  // Documents: every file under the artifact and docs folders.
  const documents: BmadDocument[] = [];
  const v6Keys = built.stories.filter((s) => /[a-z]/.test(s.key)).map((s) => s.key).sort((a, b) => b.length - a.length);
  for (const f of fileList) {
    const entry = entries.get(f.rel)!;
    if (entry.facts.type === 'unreadable') continue;
    const name = posix.basename(f.rel);
    let kind = 'other';
    let storyKey: string | null = null;
    if (built.keyByFile.has(f.rel)) {
      kind = 'story';
      storyKey = built.keyByFile.get(f.rel)!;
    } else if (storyFileSet.has(f.rel)) {
      kind = 'story';
      storyKey = storyRefFromFileName(name)?.key ?? null;
    } else if (sprintFile && f.rel === sprintFile.rel) kind = 'sprint-status';
    else if (workflowFile && f.rel === workflowFile.rel) kind = 'workflow-status';
    else if (storyKeyOfContextFile(name)) {
      kind = 'story-context';
      storyKey = storyKeyOfContextFile(name);
    } else if (paths.qaDir && under(f.rel, paths.qaDir)) {
      kind = under(f.rel, `${paths.qaDir}/gates`) && /\.ya?ml$/i.test(name) ? 'qa-gate' : 'qa-assessment';
      const k = storyKeyOfQaFile(name);
      storyKey = k && storyKeys.has(k) ? k : null;
    } else if (kindByFile.has(f.rel)) kind = kindByFile.get(f.rel)!;
    else if (/(?:^|[-_.])(?:code-review|review|qa)(?:[-_.]|$)/i.test(name)) kind = 'review';
    else if (/^tech-spec/i.test(name)) kind = 'tech-spec';
    else if (/retro/i.test(name)) kind = 'retrospective';
    if (storyKey === null && kind !== 'story') storyKey = v6Keys.find((k) => name.includes(k)) ?? null;
    documents.push({
      path: f.rel,
      title: titleOf(f, entry),
      mimeType: mimeTypeFor(f.rel),
      sizeBytes: f.size,
      checksum: entry.checksum,
      kind,
      storyKey,
      mtimeMs: f.mtimeMs,
    });
  }
  documents.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  planning.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.workflow < b.workflow ? -1 : 1));
  const byPlace = (a: BmadIssue, b: BmadIssue): number => (a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0));
  findings.sort(byPlace);
  errors.sort(byPlace);

  const reparsedFiles = files.finish();
  const projectName = paths.projectName ?? sprint?.project ?? basename(rootAbs);
  return {
    root: rootAbs,
    layout,
    projectName,
    projectKey: slugify(projectName),
    epics: epicList,
    stories: built.stories,
    planning,
    documents,
    findings,
    errors,
    sprintStatusFile: sprintFile ? sprintFile.rel : null,
    columns: columnsForLayout(layout),
    reparsedFiles,
    watchPaths: [...new Set([...paths.configFiles, ...(sprintFile ? [sprintFile.rel] : []), ...paths.documentDirs, ...paths.storyDirs, ...paths.planningDirs])],
  };
}

/** An alpha workflow-status value that names an output file, made project-relative. */
function resolveWorkflowOutput(value: string, paths: ProjectPaths): string | null {
  const v = value.replace(/\{project-root\}\/?/g, '').replace(/^\.?\//, '');
  if (!/\.[a-z]+$/i.test(v) || v.includes('..')) return null;
  if (v.includes('/')) return v;
  return paths.planningDirs[0] ? `${paths.planningDirs[0]}/${v}` : v;
}
