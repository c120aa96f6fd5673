import { createHash } from 'node:crypto';
import type { BmadLayout } from '../model.js';
import { deriveBoard, prepareSprint, restatusBoard, type BoardState, type ProjectFile } from '../parse/board.js';
import { factsOfBuffer, type CacheEntry } from '../parse/cache.js';
import type { ProjectPaths } from '../parse/config.js';
import { classifyPlanningPath, planningComplete, stepsCompletedOf, WORKFLOW_BY_KIND } from '../parse/planning.js';
import { entitiesOf, entityIn, epicRef, REMOVED, sameState, transitionKey, type EntityMap, type EntityState } from './entity-state.js';
import { BlobReader, GitError, isAncestor, listTree, readLog, repoInfo, type CommitEntry, type RepoInfo } from './git.js';
import { isStatusFile } from './status-files.js';

/** A commit as the history reports it (author date is when the change was made). */
export interface CommitMeta {
  hash: string;
  authorDate: string;
  authorName: string;
  authorEmail: string;
  committedAt: string;
  subject: string;
}

export interface HistoryTransition {
  /** `story:<key>` or `epic:<key>`. */
  entity: string;
  from: EntityState | null;
  to: EntityState;
  key: string;
  commit: CommitMeta;
  /** The status file whose change showed it (sprint-status.yaml, the story file, the plan). */
  path: string | null;
}

export interface DocumentVersionMark {
  path: string;
  commit: CommitMeta;
  removed: boolean;
}

export interface PlanningMark {
  path: string;
  workflow: string;
  started: CommitMeta;
  completed: CommitMeta | null;
}

/** How far the history was read, and the state there: what an incremental read continues from. */
export interface HistoryCheckpoint {
  version: 1;
  /** HEAD when it was read; the next read takes the commits after it. */
  tip: string;
  /** The newest commit that touched the project's BMAD files (the state below is at it). */
  last: string | null;
  since: string | null;
  /** A hash of the folders followed: a config change means a new read. */
  pathsKey: string;
  files: Record<string, string>;
  entities: Record<string, EntityState>;
  /** Per file, the last commit that touched it (a clean file's time is its commit's, not its checkout's). */
  lastCommitByPath: Record<string, CommitMeta>;
  planning: Record<string, PlanningMark>;
}

export interface HistoryInput {
  root: string;
  layout: BmadLayout;
  paths: ProjectPaths;
  /** Project-relative folders and files whose history is read. */
  historyPaths: readonly string[];
  since: string | null;
  checkpoint: HistoryCheckpoint | null;
}

export interface HistoryResult {
  repo: RepoInfo;
  /** True when the whole history was read (a first read, a rewritten history, a config change). */
  full: boolean;
  commitsRead: number;
  transitions: HistoryTransition[];
  documentVersions: DocumentVersionMark[];
  checkpoint: HistoryCheckpoint;
  /** Facts a person should know: a shallow clone, versions that could not be read. */
  notes: string[];
}

interface CommitState {
  files: Map<string, string>;
  entities: EntityMap;
  /** The parsed files and the board they gave (absent for a state restored from a checkpoint: derived on demand). */
  parsed?: Map<string, ProjectFile>;
  board?: BoardState;
}

class RestartFromScratch extends Error {}

const metaOf = (c: CommitEntry): CommitMeta => ({
  hash: c.hash,
  authorDate: new Date(c.authorDate).toISOString(),
  authorName: c.authorName.slice(0, 200),
  authorEmail: c.authorEmail.slice(0, 254),
  committedAt: new Date(c.committerDate).toISOString(),
  subject: c.subject.slice(0, 300),
});

function pathsKeyOf(paths: readonly string[], layout: string): string {
  return createHash('sha256')
    .update(JSON.stringify([layout, [...paths].sort()]))
    .digest('hex')
    .slice(0, 16);
}

/** A blob as the parser sees a file: facts only (the text of big files is dropped once what the board needs is derived). */
function entryOf(rel: string, buf: Buffer, at: number): ProjectFile {
  const { checksum, facts } = factsOfBuffer(rel, buf);
  // The board needs a markdown file's facts, not its text; thousands of versions would otherwise all stay in memory.
  if (facts.type === 'markdown') facts.text = '';
  const entry: CacheEntry = { mtimeMs: at, size: buf.length, checksum, facts, derived: new Map(), lastGood: new Map() };
  return { file: { abs: '', rel, mtimeMs: at, size: buf.length }, entry };
}

/**
 * Reads the project's git history: every commit that touched its BMAD files, parents before children, each turned
 * into the board it left (the same derivation as the working tree) and compared with its first parent's board.
 * Changes become transitions; a merge adds none for what its branch already reported.
 */
export async function readHistory(input: HistoryInput): Promise<HistoryResult> {
  const repo = await repoInfo(input.root);
  const pathsKey = pathsKeyOf(input.historyPaths, input.layout);
  const cp = input.checkpoint;
  const incremental =
    cp !== null && cp.version === 1 && cp.pathsKey === pathsKey && cp.since === input.since && (await isAncestor(repo.top, cp.tip, repo.head));
  try {
    return await read(input, repo, pathsKey, incremental ? cp : null);
  } catch (err) {
    if (err instanceof RestartFromScratch) return read(input, repo, pathsKey, null);
    throw err;
  }
}

// eslint-disable-next-line max-lines-per-function -- not yet split (issue 15 note): its closures share the walk's state, and splitting them needs the crash and history suites' time
async function read(input: HistoryInput, repo: RepoInfo, pathsKey: string, cp: HistoryCheckpoint | null): Promise<HistoryResult> {
  const input0 = input;
  const toRepo = (rel: string) => (repo.prefix === '' ? rel : `${repo.prefix}/${rel}`);
  const toProject = (repoRel: string) => (repo.prefix === '' ? repoRel : repoRel.startsWith(`${repo.prefix}/`) ? repoRel.slice(repo.prefix.length + 1) : null);
  const notes: string[] = [];
  const checkpoint: HistoryCheckpoint = cp
    ? { ...cp, tip: repo.head, files: { ...cp.files }, lastCommitByPath: { ...cp.lastCommitByPath }, planning: { ...cp.planning } }
    : { version: 1, tip: repo.head, last: null, since: input.since, pathsKey, files: {}, entities: {}, lastCommitByPath: {}, planning: {} };
  const result: HistoryResult = { repo, full: cp === null, commitsRead: 0, transitions: [], documentVersions: [], checkpoint, notes };
  if (cp && cp.tip === repo.head) return result;

  const commits = await readLog(repo.top, { from: cp?.tip ?? null, to: repo.head, since: input.since, paths: input.historyPaths.map(toRepo) });
  result.commitsRead = commits.length;
  if (commits.length === 0) return result;
  if (repo.shallow)
    notes.push(
      `shallow clone: the history starts at ${commits[0]!.hash.slice(0, 8)} (${commits[0]!.authorDate.slice(0, 10)}); earlier changes are not in this clone`,
    );

  const blobs = new BlobReader(repo.top);
  const parsed = new Map<string, ProjectFile | null>();
  const unreadable = new Set<string>();
  const invalid = { sprint: 0 };
  const states = new Map<string, CommitState>();
  const pending = new Map<string, number>();
  for (const c of commits) for (const p of c.parents) pending.set(p, (pending.get(p) ?? 0) + 1);
  const inLog = new Set(commits.map((c) => c.hash));

  const load = async (rel: string, blob: string, at: number): Promise<ProjectFile | null> => {
    const key = `${blob}:${rel}`;
    if (parsed.has(key)) return parsed.get(key)!;
    const buf = await blobs.read(blob).catch(() => null);
    if (buf === null) {
      unreadable.add(rel);
      parsed.set(key, null);
      return null;
    }
    const pf = entryOf(rel, buf, at);
    // sprint-status.yaml: parsed now, its text let go (hundreds of versions of a big file add up).
    if (input.paths.sprintStatusCandidates.includes(rel)) prepareSprint(pf);
    parsed.set(key, pf);
    return pf;
  };
  const parseAll = async (
    files: Map<string, string>,
    at: number,
    reuse?: Map<string, ProjectFile>,
    changed?: readonly string[],
  ): Promise<Map<string, ProjectFile>> => {
    // Updated in place: the caller hands over a map it owns (the parent's, or a copy of it).
    const out = reuse ?? new Map<string, ProjectFile>();
    const todo = changed ?? [...files.keys()];
    for (const rel of todo) {
      const blob = files.get(rel);
      if (blob === undefined) {
        out.delete(rel);
        continue;
      }
      const cached = parsed.get(`${blob}:${rel}`);
      const pf = cached !== undefined ? cached : await load(rel, blob, at);
      // An unreadable version (a missing object) keeps the previous one.
      if (pf) out.set(rel, pf);
    }
    return out;
  };
  const boardOf = (projectFiles: Map<string, ProjectFile>, previous: CommitState | null, changed: readonly string[] | null): BoardState => {
    const input = { layout: input0.layout, paths: input0.paths, files: projectFiles, root: input0.root, fastSprint: true };
    const quick = previous?.board && changed ? restatusBoard(previous.board, input, changed) : null;
    const board = quick ?? deriveBoard(input);
    if (!quick && board.errors.some((e) => input0.paths.sprintStatusCandidates.includes(e.file))) invalid.sprint += 1;
    return board;
  };
  const baseline = async (parent: string | null, at: number): Promise<CommitState> => {
    if (parent === null) return { files: new Map(), entities: new Map() };
    const tree = await listTree(repo.top, parent, input.historyPaths.map(toRepo)).catch(() => new Map<string, string>());
    const files = new Map<string, string>();
    for (const [repoRel, blob] of tree) {
      const rel = toProject(repoRel);
      if (rel !== null && isStatusFile(rel, input.paths)) files.set(rel, blob);
    }
    const projectFiles = await parseAll(files, at);
    const board = boardOf(projectFiles, null, null);
    // The state where the read starts: known, but not as transitions (when it was reached is not in what is read).
    const withKeys: EntityMap = new Map([...entitiesOf(board, null)].map(([id, s]) => [id, { ...s, key: transitionKey(id, null, s, `baseline:${parent}`) }]));
    return { files, entities: withKeys, parsed: projectFiles, board };
  };

  try {
    // Every version of every status file the log names, read in one stream and parsed as it arrives (one round trip
    // per blob would cost more than the parsing).
    const wanted = new Map<string, { rel: string; blob: string; at: number }>();
    for (const c of commits) {
      for (const ch of c.changes) {
        const rel = toProject(ch.path);
        if (rel === null || ch.blob === null || !isStatusFile(rel, input.paths)) continue;
        wanted.set(`${ch.blob}:${rel}`, { rel, blob: ch.blob, at: Date.parse(c.authorDate) });
      }
    }
    await Promise.all([...wanted.values()].map((w) => load(w.rel, w.blob, w.at)));
    if (cp?.last) states.set(cp.last, { files: new Map(Object.entries(cp.files)), entities: new Map(Object.entries(cp.entities)) });
    let last: { hash: string; state: CommitState } | null = cp?.last ? { hash: cp.last, state: states.get(cp.last)! } : null;
    for (const c of commits) {
      const meta = metaOf(c);
      const at = Date.parse(meta.authorDate);
      const p1 = c.parents[0] ?? null;
      let base = p1 ? states.get(p1) : undefined;
      // A shallow clone's oldest commit has lost its parents: what it holds is where the history starts, not a change.
      const startsShallow = !base && p1 === null && repo.shallow && c === commits[0];
      if (!base) {
        // The first parent is outside what was read: the start of a bounded (--git-since) history, or a branch the
        // checkpoint does not cover (then the whole history is read again).
        if (cp && p1 !== null && !inLog.has(p1)) throw new RestartFromScratch();
        base = await baseline(p1, at);
      }
      // The last commit to build on this state (a straight line of history) takes it over instead of copying it.
      const own = p1 !== null && pending.get(p1) === 1 && states.get(p1) === base;
      const files = own ? base.files : new Map(base.files);
      const changed: string[] = [];
      let structural = false;
      for (const ch of c.changes) {
        const rel = toProject(ch.path);
        if (rel === null) continue;
        checkpoint.lastCommitByPath[rel] = meta;
        result.documentVersions.push({ path: rel, commit: meta, removed: ch.blob === null });
        if (!isStatusFile(rel, input.paths)) continue;
        changed.push(rel);
        // A deleted file may change how files match stories: the board is derived again. An added one is tried cheaply first.
        if (ch.blob === null) structural = true;
        if (ch.blob === null) files.delete(rel);
        else files.set(rel, ch.blob);
      }
      let entities = base.entities;
      let projectFiles = base.parsed;
      let board = base.board;
      if (changed.length > 0) {
        projectFiles = await parseAll(files, at, own ? base.parsed : base.parsed && new Map(base.parsed), base.parsed ? changed : undefined);
        board = boardOf(projectFiles, structural || !base.parsed ? null : base, structural ? null : changed);
        const others = c.parents
          .slice(1)
          .map((p) => states.get(p))
          .filter((s): s is CommitState => s !== undefined);
        const path = changed.find((r) => input.paths.sprintStatusCandidates.includes(r)) ?? changed[0] ?? null;
        const previous = own ? null : base.entities;
        entities = own ? base.entities : new Map(base.entities);
        const fromOf = (id: string) => (previous ?? entities).get(id) ?? null;
        const apply = (id: string, to: Omit<EntityState, 'key'>) => {
          if (startsShallow) {
            entities.set(id, { ...to, key: transitionKey(id, null, to, `baseline:${c.hash}`) });
            return;
          }
          const from = fromOf(id);
          if (from && sameState(from, to)) {
            if (from.sourceStatus !== to.sourceStatus) entities.set(id, { ...to, key: from.key });
            return;
          }
          // A merge adds no transition for a state its branch already reported: the branch's own commit did.
          const inherited = others.map((o) => o.entities.get(id)).find((x) => sameState(x, to));
          if (inherited) {
            entities.set(id, inherited);
            return;
          }
          const key = transitionKey(id, from, to, from?.key ?? null);
          entities.set(id, { ...to, key });
          result.transitions.push({ entity: id, from, to: { ...to, key }, key, commit: meta, path });
        };
        if (board.changed && !startsShallow && others.length === 0) {
          // Only values changed: only the stories and epics whose status moved need looking at.
          for (const id of board.changed) {
            const to = entityIn(board, id);
            if (to) apply(id, to);
          }
        } else {
          const next = entitiesOf(board, base.entities);
          for (const [id, to] of next) apply(id, to);
          for (const id of [...(previous ?? entities).keys()]) {
            if (next.has(id)) continue;
            const from = fromOf(id)!;
            // A story whose records are all gone (a deleted story file, a sprint-status.yaml removed): it left the board.
            if ((from.status === 'canceled' && from.column === null) || id.startsWith(epicRef(''))) continue;
            const key = transitionKey(id, from, REMOVED, from.key);
            const to = { ...REMOVED, key };
            entities.set(id, to);
            result.transitions.push({ entity: id, from, to, key, commit: meta, path });
          }
        }
        planningMarks(projectFiles, changed, meta, checkpoint);
      }
      const state: CommitState = { files, entities, ...(projectFiles ? { parsed: projectFiles } : {}), ...(board ? { board } : {}) };
      states.set(c.hash, state);
      last = { hash: c.hash, state };
      for (const p of c.parents) {
        const left = (pending.get(p) ?? 1) - 1;
        pending.set(p, left);
        if (left <= 0 && p !== last.hash) states.delete(p);
      }
    }
    if (last) {
      checkpoint.last = last.hash;
      checkpoint.files = Object.fromEntries(last.state.files);
      checkpoint.entities = Object.fromEntries(last.state.entities);
    }
  } catch (err) {
    if (err instanceof GitError || err instanceof RestartFromScratch) throw err;
    throw new GitError(`the history could not be read: ${(err as Error).message}`, 'failed');
  } finally {
    blobs.close();
  }
  if (unreadable.size > 0)
    notes.push(`${unreadable.size} file version(s) could not be read from git (missing objects), e.g. ${[...unreadable][0]}: those versions are skipped`);
  if (invalid.sprint > 0) notes.push(`${invalid.sprint} historical version(s) of sprint-status.yaml are not valid YAML: their readable lines were used`);
  return result;
}

/** When each planning document first appeared, and when it was first complete. */
function planningMarks(files: ReadonlyMap<string, ProjectFile>, changed: readonly string[], meta: CommitMeta, cp: HistoryCheckpoint): void {
  for (const rel of changed) {
    const cls = classifyPlanningPath(rel);
    const pf = files.get(rel);
    if (!cls?.primary || !pf || pf.entry.facts.type !== 'markdown') continue;
    const workflow = WORKFLOW_BY_KIND[cls.kind];
    const fm = pf.entry.facts.md.frontMatter?.data ?? null;
    const complete = planningComplete(workflow, fm, stepsCompletedOf(fm));
    const mark = cp.planning[rel] ?? { path: rel, workflow, started: meta, completed: null };
    cp.planning[rel] = { ...mark, completed: mark.completed ?? (complete ? meta : null) };
  }
}
