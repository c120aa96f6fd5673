import { basename, posix, resolve } from 'node:path';
import type { BmadDocument, BmadIssue, BmadPlanningArtifact, BmadSnapshot } from '../model.js';
import { deriveBoard, type BoardState, type ProjectFile } from './board.js';
import { derive, ParseCache, ScanFiles, type CacheEntry } from './cache.js';
import { readProjectPaths, type ProjectPaths } from './config.js';
import { mapLimit, mimeTypeFor, statFile, walkFiles, type FileStat } from './files.js';
import { detectLayout } from './layout.js';
import type { MarkdownFacts } from './markdown.js';
import { planningRuns } from './planning-runs.js';
import { classifyPlanningPath, planningComplete, stepsCompletedOf, WORKFLOW_ALIASES, WORKFLOW_BY_KIND, type PlanningKind } from './planning.js';
import { deferredWorkOf, readinessOf } from './project-notes.js';
import { columnsForLayout } from './status.js';
import { slugify, storyKeyOfContextFile, storyKeyOfQaFile, storyRefFromFileName } from './story-keys.js';
import { TICKET_COLUMNS } from './tickets.js';
import { bmadVersion } from './version.js';
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

/** Planning documents, the workflows they are the output of, and the epic and story titles their headings give. */
function planningOf(files: ReadonlyMap<string, ProjectFile>, paths: ProjectPaths, skip: ReadonlySet<string>, errors: BmadIssue[]) {
  const planning: BmadPlanningArtifact[] = [];
  const kindByFile = new Map<string, PlanningKind>();
  const epicTitles = new Map<string, string>();
  const headingTitles = new Map<string, string>();
  const headingSources: Array<{ rank: number; md: MarkdownFacts }> = [];
  const runs = planningRuns([...files.values()]);
  for (const { file: f, entry } of files.values()) {
    if (skip.has(f.rel) || !/\.md$/i.test(f.rel)) continue;
    const cls = classifyPlanningPath(f.rel);
    if (!cls) continue;
    kindByFile.set(f.rel, cls.kind);
    const md = markdownOf(entry);
    if (md && (cls.kind === 'epics' || cls.kind === 'prd')) headingSources.push({ rank: (cls.kind === 'epics' ? 0 : 2) + (cls.primary ? 0 : 1), md });
    // An earlier dated run (a newer run of the same document replaced it) is a version, not the workflow's state.
    if (!cls.primary || runs.supersededBy.has(f.rel) || !paths.planningDirs.some((d) => under(f.rel, d)) || !md) continue;
    const { current, lastGood } = derive(
      entry,
      'planning',
      () => ({ data: md.frontMatter?.data ?? null, error: md.frontMatterError }),
      (p) => p.error === null,
    );
    if (current.error) errors.push({ kind: 'parse_error', file: f.rel, line: current.error.line, message: `${f.rel}: ${current.error.message}` });
    const fm = current.error ? lastGood : current;
    if (!fm) continue;
    const workflow = WORKFLOW_BY_KIND[cls.kind];
    const steps = stepsCompletedOf(fm.data);
    planning.push({
      workflow,
      file: f.rel,
      title: titleOf(f, entry),
      stepsCompleted: steps,
      complete: planningComplete(workflow, fm.data, steps),
      mtimeMs: f.mtimeMs,
    });
  }
  headingSources.sort((a, b) => a.rank - b.rank);
  for (const { md } of headingSources) {
    for (const h of md.epicHeadings) if (h.title && !epicTitles.has(h.key)) epicTitles.set(h.key, h.title);
    for (const h of md.storyHeadings) {
      const k = `${h.epic}.${h.story}${h.suffix}`;
      if (h.title !== '' && !headingTitles.has(k)) headingTitles.set(k, h.title);
    }
  }
  return { planning, kindByFile, epicTitles, headingTitles, supersededBy: runs.supersededBy };
}

/** The alpha bmm-workflow-status.yaml adds the planning workflows no document stands for. */
function alphaWorkflows(
  workflowFile: FileStat | null,
  files: ReadonlyMap<string, ProjectFile>,
  paths: ProjectPaths,
  planning: BmadPlanningArtifact[],
  errors: BmadIssue[],
): void {
  const pf = workflowFile ? files.get(workflowFile.rel) : undefined;
  if (!workflowFile || !pf || pf.entry.facts.type !== 'text') return;
  const text = pf.entry.facts.text;
  const { current, lastGood } = derive(
    pf.entry,
    'workflow-status',
    () => parseWorkflowStatus(text),
    (w) => w.error === null,
  );
  if (current.error)
    errors.push({ kind: 'parse_error', file: workflowFile.rel, line: current.error.line, message: `${workflowFile.rel}: ${current.error.message}` });
  const wf = current.error ? lastGood : current;
  const covered = new Set(planning.map((p) => p.workflow));
  for (const e of wf?.entries ?? []) {
    const workflow = WORKFLOW_ALIASES[e.id] ?? e.id;
    if (covered.has(workflow)) continue;
    covered.add(workflow);
    const target = e.done ? resolveWorkflowOutput(e.value, paths) : null;
    const targetFile = target ? files.get(target) : undefined;
    planning.push({
      workflow,
      file: targetFile ? targetFile.file.rel : workflowFile.rel,
      title: targetFile ? titleOf(targetFile.file, targetFile.entry) : e.id,
      stepsCompleted: null,
      complete: e.done,
      mtimeMs: targetFile ? targetFile.file.mtimeMs : workflowFile.mtimeMs,
      workflowStatus: e.value,
    });
  }
}

/** Every file under the artifact and docs folders, with what it is and the story it belongs to. */
function documentsOf(
  files: ReadonlyMap<string, ProjectFile>,
  board: BoardState,
  paths: ProjectPaths,
  kindByFile: ReadonlyMap<string, PlanningKind>,
  supersededBy: ReadonlyMap<string, string>,
  special: { sprint: string | null; workflow: string | null },
): BmadDocument[] {
  const documents: BmadDocument[] = [];
  const storyKeys = new Set(board.stories.map((s) => s.key));
  const v6Keys = board.stories
    .filter((s) => /[a-z]/.test(s.key))
    .map((s) => s.key)
    .sort((a, b) => b.length - a.length);
  for (const { file: f, entry } of files.values()) {
    if (entry.facts.type === 'unreadable') continue;
    const name = posix.basename(f.rel);
    let kind = 'other';
    let storyKey: string | null = null;
    if (board.keyByFile.has(f.rel)) {
      kind = /(?:^|\/)spec-[^/]*\.md$/.test(f.rel) ? 'spec' : /-plan\.md$/.test(f.rel) ? 'plan' : 'story';
      storyKey = board.keyByFile.get(f.rel)!;
    } else if (board.attachedFiles.has(f.rel)) {
      kind = /spike|decision/i.test(name) ? 'decision' : 'story-note';
      storyKey = board.attachedFiles.get(f.rel) ?? null;
    } else if (f.rel === special.sprint) kind = 'sprint-status';
    else if (f.rel === special.workflow) kind = 'workflow-status';
    else if (storyKeyOfContextFile(name)) {
      kind = 'story-context';
      storyKey = storyKeyOfContextFile(name);
    } else if (paths.qaDir && under(f.rel, paths.qaDir)) {
      kind = under(f.rel, `${paths.qaDir}/gates`) && /\.ya?ml$/i.test(name) ? 'qa-gate' : 'qa-assessment';
      const k = storyKeyOfQaFile(name);
      storyKey = k && storyKeys.has(k) ? k : null;
    } else if (kindByFile.has(f.rel)) kind = kindByFile.get(f.rel)!;
    else if (/^deferred-work\.md$/i.test(name)) kind = 'deferred-work';
    else if (/^tickets\.toml$/i.test(name)) kind = 'tickets';
    else if (/(?:^|[-_.])(?:code-review|review|qa)(?:[-_.]|$)/i.test(name)) kind = 'review';
    else if (/^tech-spec/i.test(name)) kind = 'tech-spec';
    else if (/retro/i.test(name)) kind = 'retrospective';
    else if (/^SPEC\.md$/.test(name)) kind = 'spec';
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
      supersededBy: supersededBy.get(f.rel) ?? null,
    });
  }
  return documents.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Reads a BMAD project folder into a snapshot: layout, config, epics, stories (sprint-status.yaml first, or the ticket
 * tree), planning artifacts, documents, findings (drift, unknown statuses) and errors (files that could not be
 * parsed). Throws only when the folder holds no BMAD project; one bad file never stops the scan.
 */
export async function scanBmadProject(root: string, opts: ScanOptions = {}): Promise<BmadSnapshot> {
  const rootAbs = resolve(root);
  const detected = await detectLayout(rootAbs);
  const cache = opts.cache ?? new ParseCache();
  const scanFiles = new ScanFiles(rootAbs, cache);
  const { paths, errors: configErrors } = await readProjectPaths(rootAbs, detected, scanFiles);
  const errors: BmadIssue[] = [...configErrors];
  const findings: BmadIssue[] = [];

  const walked = [...paths.documentDirs, ...paths.storyDirs, ...paths.planningDirs];
  const all = await walkFiles(rootAbs, walked);
  const sprintFile = await firstExisting(rootAbs, all, paths.sprintStatusCandidates);
  const workflowFile = await firstExisting(rootAbs, all, paths.workflowStatusCandidates);
  for (const f of [sprintFile, workflowFile]) if (f) all.set(f.rel, f);
  const load = async (stats: Iterable<FileStat>): Promise<Map<string, ProjectFile>> => {
    const list = [...stats];
    const loaded = await mapLimit(list, 32, (f) => scanFiles.load(f));
    return new Map(list.map((f, i) => [f.rel, { file: f, entry: loaded[i]! }]));
  };
  const files = await load(all.values());

  const storyRelated = new Set<string>();
  for (const rel of files.keys()) if (paths.storyDirs.some((d) => under(rel, d)) && storyRefFromFileName(posix.basename(rel))) storyRelated.add(rel);
  const plan = planningOf(files, paths, storyRelated, errors);
  let board = deriveBoard({ layout: detected.layout, paths, files, headingTitles: plan.headingTitles, epicTitles: plan.epicTitles, root: rootAbs });
  // sprint-status.yaml's own story_location may name a folder the config does not: read it too, then decide again.
  const extra = board.storyDirs.filter((d) => !walked.some((w) => under(d, w)));
  if (extra.length > 0) {
    for (const [rel, pf] of await load((await walkFiles(rootAbs, extra)).values())) files.set(rel, pf);
    board = deriveBoard({ layout: detected.layout, paths, files, headingTitles: plan.headingTitles, epicTitles: plan.epicTitles, root: rootAbs });
  }
  errors.push(...board.errors);
  findings.push(...board.findings);
  alphaWorkflows(workflowFile, files, paths, plan.planning, errors);

  const documents = documentsOf(files, board, paths, plan.kindByFile, plan.supersededBy, {
    sprint: board.sprintFile?.rel ?? null,
    workflow: workflowFile?.rel ?? null,
  });
  plan.planning.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.workflow < b.workflow ? -1 : 1));
  const byPlace = (a: BmadIssue, b: BmadIssue): number => (a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0));
  findings.sort(byPlace);
  errors.sort(byPlace);

  const version = await bmadVersion(rootAbs, scanFiles);
  const reparsedFiles = scanFiles.finish();
  const projectName = paths.projectName ?? board.sprint?.project ?? basename(rootAbs);
  const layout = board.layout;
  return {
    root: rootAbs,
    layout,
    projectName,
    projectKey: slugify(projectName),
    epics: board.epics,
    stories: board.stories,
    planning: plan.planning,
    documents,
    findings,
    errors,
    sprintStatusFile: board.sprintFile ? board.sprintFile.rel : null,
    columns: layout === 'v6-tickets' ? [...TICKET_COLUMNS] : columnsForLayout(layout),
    reparsedFiles,
    watchPaths: [
      ...new Set([...paths.configFiles, ...(board.sprintFile ? [board.sprintFile.rel] : []), ...paths.documentDirs, ...board.storyDirs, ...paths.planningDirs]),
    ],
    version,
    actionItems: board.sprint?.actionItems ?? [],
    readiness: readinessOf(files, plan.kindByFile),
    deferredWork: deferredWorkOf(files, board.storyDirs),
    notes: detected.note ? [detected.note] : [],
    historyPaths: [...new Set([...paths.documentDirs, ...board.storyDirs, ...paths.planningDirs, ...paths.sprintStatusCandidates, ...paths.configFiles])],
    paths: { ...paths, storyDirs: board.storyDirs },
  };
}

/** An alpha workflow-status value that names an output file, made project-relative. */
function resolveWorkflowOutput(value: string, paths: ProjectPaths): string | null {
  const v = value.replace(/\{project-root\}\/?/g, '').replace(/^\.?\//, '');
  if (!/\.[a-z]+$/i.test(v) || v.includes('..')) return null;
  if (v.includes('/')) return v;
  return paths.planningDirs[0] ? `${paths.planningDirs[0]}/${v}` : v;
}
