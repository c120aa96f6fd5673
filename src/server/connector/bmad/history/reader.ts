import { createHash } from 'node:crypto';
import type { BmadLayout } from '../model.js';
import type { ProjectPaths } from '../parse/config.js';
import type { EntityState } from './entity-state.js';
import { GitError, isAncestor, readLog, repoInfo, type RepoInfo } from './git.js';
import { VersionParser } from './versions.js';
import { HistoryWalk, RestartFromScratch } from './walk.js';

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

function pathsKeyOf(paths: readonly string[], layout: string): string {
  return createHash('sha256')
    .update(JSON.stringify([layout, [...paths].sort()]))
    .digest('hex')
    .slice(0, 16);
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

async function read(input: HistoryInput, repo: RepoInfo, pathsKey: string, cp: HistoryCheckpoint | null): Promise<HistoryResult> {
  const notes: string[] = [];
  const checkpoint: HistoryCheckpoint = cp
    ? { ...cp, tip: repo.head, files: { ...cp.files }, lastCommitByPath: { ...cp.lastCommitByPath }, planning: { ...cp.planning } }
    : { version: 1, tip: repo.head, last: null, since: input.since, pathsKey, files: {}, entities: {}, lastCommitByPath: {}, planning: {} };
  const result: HistoryResult = { repo, full: cp === null, commitsRead: 0, transitions: [], documentVersions: [], checkpoint, notes };
  if (cp && cp.tip === repo.head) return result;

  const versions = new VersionParser(input, repo);
  try {
    const commits = await readLog(repo.top, {
      from: cp?.tip ?? null,
      to: repo.head,
      since: input.since,
      paths: input.historyPaths.map((p) => versions.toRepo(p)),
    });
    result.commitsRead = commits.length;
    if (commits.length === 0) return result;
    if (repo.shallow)
      notes.push(
        `shallow clone: the history starts at ${commits[0]!.hash.slice(0, 8)} (${commits[0]!.authorDate.slice(0, 10)}); earlier changes are not in this clone`,
      );
    await new HistoryWalk(versions, commits, result, cp, repo.shallow).run();
  } catch (err) {
    if (err instanceof GitError || err instanceof RestartFromScratch) throw err;
    throw new GitError(`the history could not be read: ${(err as Error).message}`, 'failed');
  } finally {
    versions.close();
  }
  if (versions.unreadable.size > 0)
    notes.push(
      `${versions.unreadable.size} file version(s) could not be read from git (missing objects), e.g. ${[...versions.unreadable][0]}: those versions are skipped`,
    );
  if (versions.invalidSprints > 0)
    notes.push(`${versions.invalidSprints} historical version(s) of sprint-status.yaml are not valid YAML: their readable lines were used`);
  return result;
}
