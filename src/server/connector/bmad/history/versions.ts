import type { BmadLayout } from '../model.js';
import { deriveBoard, prepareSprint, restatusBoard, type BoardState, type ProjectFile } from '../parse/board.js';
import { factsOfBuffer, type CacheEntry } from '../parse/cache.js';
import type { ProjectPaths } from '../parse/config.js';
import { entitiesOf, transitionKey, type EntityMap } from './entity-state.js';
import { BlobReader, listTree, type RepoInfo } from './git.js';
import { isStatusFile } from './status-files.js';

/** What the history holds at one commit: the status files' blobs, the entities' states, and (when derived) the board. */
export interface CommitState {
  files: Map<string, string>;
  entities: EntityMap;
  /** The parsed files and the board they gave (absent for a state restored from a checkpoint: derived on demand). */
  parsed?: Map<string, ProjectFile>;
  board?: BoardState;
}

export interface VersionSource {
  root: string;
  layout: BmadLayout;
  paths: ProjectPaths;
  historyPaths: readonly string[];
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
 * Reads and parses file versions out of git, each blob once per path, and derives boards from them. It remembers
 * which versions could not be read and how many sprint-status.yaml versions were not valid YAML, for the notes.
 */
export class VersionParser {
  readonly unreadable = new Set<string>();
  invalidSprints = 0;
  private readonly parsed = new Map<string, ProjectFile | null>();
  private readonly blobs: BlobReader;

  constructor(
    private readonly source: VersionSource,
    private readonly repo: RepoInfo,
  ) {
    this.blobs = new BlobReader(repo.top);
  }

  close(): void {
    this.blobs.close();
  }

  toRepo(rel: string): string {
    return this.repo.prefix === '' ? rel : `${this.repo.prefix}/${rel}`;
  }

  toProject(repoRel: string): string | null {
    const prefix = this.repo.prefix;
    if (prefix === '') return repoRel;
    return repoRel.startsWith(`${prefix}/`) ? repoRel.slice(prefix.length + 1) : null;
  }

  isStatusFile(rel: string): boolean {
    return isStatusFile(rel, this.source.paths);
  }

  isSprintFile(rel: string): boolean {
    return this.source.paths.sprintStatusCandidates.includes(rel);
  }

  async load(rel: string, blob: string, at: number): Promise<ProjectFile | null> {
    const key = `${blob}:${rel}`;
    if (this.parsed.has(key)) return this.parsed.get(key)!;
    const buf = await this.blobs.read(blob).catch(() => null);
    if (buf === null) {
      this.unreadable.add(rel);
      this.parsed.set(key, null);
      return null;
    }
    const pf = entryOf(rel, buf, at);
    // sprint-status.yaml: parsed now, its text let go (hundreds of versions of a big file add up).
    if (this.isSprintFile(rel)) prepareSprint(pf);
    this.parsed.set(key, pf);
    return pf;
  }

  /** Parses the `changed` files (all when absent) into `reuse`, a map the caller owns, or a new one. */
  async parseAll(files: Map<string, string>, at: number, reuse?: Map<string, ProjectFile>, changed?: readonly string[]): Promise<Map<string, ProjectFile>> {
    const out = reuse ?? new Map<string, ProjectFile>();
    for (const rel of changed ?? [...files.keys()]) {
      const blob = files.get(rel);
      if (blob === undefined) {
        out.delete(rel);
        continue;
      }
      const cached = this.parsed.get(`${blob}:${rel}`);
      const pf = cached !== undefined ? cached : await this.load(rel, blob, at);
      // An unreadable version (a missing object) keeps the previous one.
      if (pf) out.set(rel, pf);
    }
    return out;
  }

  /** The board of `files`; only the changed files' statuses are re-read when the previous board allows it. */
  boardOf(files: Map<string, ProjectFile>, previous: CommitState | null, changed: readonly string[] | null): BoardState {
    const { layout, paths, root } = this.source;
    const input = { layout, paths, files, root, fastSprint: true };
    const quick = previous?.board && changed ? restatusBoard(previous.board, input, changed) : null;
    const board = quick ?? deriveBoard(input);
    if (!quick && board.errors.some((e) => this.isSprintFile(e.file))) this.invalidSprints += 1;
    return board;
  }

  /** The state at `parent` read from its tree: where a walk starts that has no earlier state for it. */
  async baseline(parent: string | null, at: number): Promise<CommitState> {
    if (parent === null) return { files: new Map(), entities: new Map() };
    const tree = await listTree(
      this.repo.top,
      parent,
      this.source.historyPaths.map((p) => this.toRepo(p)),
    ).catch(() => new Map<string, string>());
    const files = new Map<string, string>();
    for (const [repoRel, blob] of tree) {
      const rel = this.toProject(repoRel);
      if (rel !== null && this.isStatusFile(rel)) files.set(rel, blob);
    }
    const parsed = await this.parseAll(files, at);
    const board = this.boardOf(parsed, null, null);
    // The state where the read starts: known, but not as transitions (when it was reached is not in what is read).
    const entities: EntityMap = new Map([...entitiesOf(board, null)].map(([id, s]) => [id, { ...s, key: transitionKey(id, null, s, `baseline:${parent}`) }]));
    return { files, entities, parsed, board };
  }
}
