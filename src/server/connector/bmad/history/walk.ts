import type { ProjectFile } from '../parse/board.js';
import { classifyPlanningPath, planningComplete, stepsCompletedOf, WORKFLOW_BY_KIND } from '../parse/planning.js';
import { entitiesOf, entityIn, epicRef, REMOVED, sameState, transitionKey, type EntityMap, type EntityState } from './entity-state.js';
import type { CommitEntry } from './git.js';
import type { CommitMeta, HistoryCheckpoint, HistoryResult } from './reader.js';
import type { CommitState, VersionParser } from './versions.js';

/** Thrown when a checkpoint does not cover a branch the log names: the whole history is read again. */
export class RestartFromScratch extends Error {}

export const metaOf = (c: CommitEntry): CommitMeta => ({
  hash: c.hash,
  authorDate: new Date(c.authorDate).toISOString(),
  authorName: c.authorName.slice(0, 200),
  authorEmail: c.authorEmail.slice(0, 254),
  committedAt: new Date(c.committerDate).toISOString(),
  subject: c.subject.slice(0, 300),
});

/** What one commit's comparison with its first parent needs. */
interface Step {
  meta: CommitMeta;
  /** The entities being built for this commit (the parent's own map when this commit takes it over). */
  entities: EntityMap;
  /** The parent's map when it was copied, so `from` is read from it; null when taken over. */
  previous: EntityMap | null;
  /** The states of a merge's other parents. */
  others: CommitState[];
  /** The status file the transitions are reported against. */
  path: string | null;
  startsShallow: boolean;
}

/**
 * Walks the commits of the log, parents before children, keeping each commit's state until its last child has used
 * it, and reports every change of a story's or epic's state as a transition of `result`.
 */
export class HistoryWalk {
  private readonly states = new Map<string, CommitState>();
  private readonly pending = new Map<string, number>();
  private readonly inLog: Set<string>;

  constructor(
    private readonly versions: VersionParser,
    private readonly commits: readonly CommitEntry[],
    private readonly result: HistoryResult,
    private readonly cp: HistoryCheckpoint | null,
    private readonly shallow: boolean,
  ) {
    for (const c of commits) for (const p of c.parents) this.pending.set(p, (this.pending.get(p) ?? 0) + 1);
    this.inLog = new Set(commits.map((c) => c.hash));
  }

  async run(): Promise<void> {
    await this.preload();
    const { cp } = this;
    if (cp?.last) this.states.set(cp.last, { files: new Map(Object.entries(cp.files)), entities: new Map(Object.entries(cp.entities)) });
    let last: { hash: string; state: CommitState } | null = cp?.last ? { hash: cp.last, state: this.states.get(cp.last)! } : null;
    for (const c of this.commits) {
      const state = await this.stepCommit(c);
      this.states.set(c.hash, state);
      last = { hash: c.hash, state };
      this.release(c, c.hash);
    }
    if (last) {
      this.result.checkpoint.last = last.hash;
      this.result.checkpoint.files = Object.fromEntries(last.state.files);
      this.result.checkpoint.entities = Object.fromEntries(last.state.entities);
    }
  }

  /** Every version of every status file the log names, read in one stream (one round trip per blob would cost more than parsing). */
  private async preload(): Promise<void> {
    const wanted = new Map<string, { rel: string; blob: string; at: number }>();
    for (const c of this.commits) {
      for (const ch of c.changes) {
        const rel = this.versions.toProject(ch.path);
        if (rel === null || ch.blob === null || !this.versions.isStatusFile(rel)) continue;
        wanted.set(`${ch.blob}:${rel}`, { rel, blob: ch.blob, at: Date.parse(c.authorDate) });
      }
    }
    await Promise.all([...wanted.values()].map((w) => this.versions.load(w.rel, w.blob, w.at)));
  }

  /** Drops a parent's state once its last child has been built on it. */
  private release(c: CommitEntry, newest: string): void {
    for (const p of c.parents) {
      const left = (this.pending.get(p) ?? 1) - 1;
      this.pending.set(p, left);
      if (left <= 0 && p !== newest) this.states.delete(p);
    }
  }

  private async baseFor(c: CommitEntry, p1: string | null, at: number): Promise<CommitState> {
    const known = p1 ? this.states.get(p1) : undefined;
    if (known) return known;
    // The first parent is outside what was read: the start of a bounded (--git-since) history, or a branch the
    // checkpoint does not cover (then the whole history is read again).
    if (this.cp && p1 !== null && !this.inLog.has(p1)) throw new RestartFromScratch();
    return this.versions.baseline(p1, at);
  }

  private async stepCommit(c: CommitEntry): Promise<CommitState> {
    const meta = metaOf(c);
    const at = Date.parse(meta.authorDate);
    const p1 = c.parents[0] ?? null;
    // A shallow clone's oldest commit has lost its parents: what it holds is where the history starts, not a change.
    const startsShallow = p1 === null && this.shallow && c === this.commits[0];
    const base = await this.baseFor(c, p1, at);
    // The last commit to build on this state (a straight line of history) takes it over instead of copying it.
    const own = p1 !== null && this.pending.get(p1) === 1 && this.states.get(p1) === base;
    const files = own ? base.files : new Map(base.files);
    const { changed, structural } = this.recordChanges(c, meta, files);
    if (changed.length === 0)
      return { files, entities: base.entities, ...(base.parsed ? { parsed: base.parsed } : {}), ...(base.board ? { board: base.board } : {}) };

    const parsed = await this.versions.parseAll(files, at, own ? base.parsed : base.parsed && new Map(base.parsed), base.parsed ? changed : undefined);
    const board = this.versions.boardOf(parsed, structural || !base.parsed ? null : base, structural ? null : changed);
    const step: Step = {
      meta,
      startsShallow,
      previous: own ? null : base.entities,
      entities: own ? base.entities : new Map(base.entities),
      others: c.parents
        .slice(1)
        .map((p) => this.states.get(p))
        .filter((s): s is CommitState => s !== undefined),
      path: changed.find((r) => this.versions.isSprintFile(r)) ?? changed[0] ?? null,
    };
    if (board.changed && !startsShallow && step.others.length === 0) {
      // Only values changed: only the stories and epics whose status moved need looking at.
      for (const id of board.changed) {
        const to = entityIn(board, id);
        if (to) this.apply(step, id, to);
      }
    } else {
      this.diffEntities(step, entitiesOf(board, base.entities));
    }
    planningMarks(parsed, changed, meta, this.result.checkpoint);
    return { files, entities: step.entities, parsed, board };
  }

  /** Applies the commit's file changes to `files` and notes every path's version; returns the status files it changed. */
  private recordChanges(c: CommitEntry, meta: CommitMeta, files: Map<string, string>): { changed: string[]; structural: boolean } {
    const changed: string[] = [];
    let structural = false;
    for (const ch of c.changes) {
      const rel = this.versions.toProject(ch.path);
      if (rel === null) continue;
      this.result.checkpoint.lastCommitByPath[rel] = meta;
      this.result.documentVersions.push({ path: rel, commit: meta, removed: ch.blob === null });
      if (!this.versions.isStatusFile(rel)) continue;
      changed.push(rel);
      // A deleted file may change how files match stories: the board is derived again. An added one is tried cheaply first.
      if (ch.blob === null) {
        structural = true;
        files.delete(rel);
      } else files.set(rel, ch.blob);
    }
    return { changed, structural };
  }

  /** Compares the whole board with the parent's: every entity applied, and those gone from it reported as removed. */
  private diffEntities(step: Step, next: Map<string, Omit<EntityState, 'key'>>): void {
    for (const [id, to] of next) this.apply(step, id, to);
    for (const id of [...(step.previous ?? step.entities).keys()]) {
      if (next.has(id)) continue;
      const from = fromOf(step, id)!;
      // A story whose records are all gone (a deleted story file, a sprint-status.yaml removed): it left the board.
      if ((from.status === 'canceled' && from.column === null) || id.startsWith(epicRef(''))) continue;
      const key = transitionKey(id, from, REMOVED, from.key);
      const to = { ...REMOVED, key };
      step.entities.set(id, to);
      this.result.transitions.push({ entity: id, from, to, key, commit: step.meta, path: step.path });
    }
  }

  private apply(step: Step, id: string, to: Omit<EntityState, 'key'>): void {
    if (step.startsShallow) {
      step.entities.set(id, { ...to, key: transitionKey(id, null, to, `baseline:${step.meta.hash}`) });
      return;
    }
    const from = fromOf(step, id);
    if (from && sameState(from, to)) {
      if (from.sourceStatus !== to.sourceStatus) step.entities.set(id, { ...to, key: from.key });
      return;
    }
    // A merge adds no transition for a state its branch already reported: the branch's own commit did.
    const inherited = step.others.map((o) => o.entities.get(id)).find((x) => sameState(x, to));
    if (inherited) {
      step.entities.set(id, inherited);
      return;
    }
    const key = transitionKey(id, from, to, from?.key ?? null);
    step.entities.set(id, { ...to, key });
    this.result.transitions.push({ entity: id, from, to: { ...to, key }, key, commit: step.meta, path: step.path });
  }
}

const fromOf = (step: Step, id: string): EntityState | null => (step.previous ?? step.entities).get(id) ?? null;

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
