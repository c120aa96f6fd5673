import type { Status } from '../../../../contracts/index.js';
import type { BmadSnapshot } from '../model.js';
import { entitiesOf, epicRef, REMOVED, sameState, storyRef, transitionKey, type EntityState } from './entity-state.js';
import { changedInWorkTree, GitError, gitDir, repoInfo, type RepoInfo } from './git.js';
import { readHistory, type DocumentVersionMark, type HistoryCheckpoint, type PlanningMark } from './reader.js';
import { observe, type Timelines, type TimelineEntry } from './timeline.js';
import type { ProjectPaths } from '../parse/config.js';

/** Where a connector keeps what it must not forget between runs (how far the history was read). */
export interface ConnectorStateStore {
  load(key: string): Promise<string | null>;
  save(key: string, value: string): Promise<void>;
}

/** An in-memory store: a remote import keeps nothing, so it re-reads the history (every event a duplicate). */
export function memoryStateStore(): ConnectorStateStore {
  const m = new Map<string, string>();
  return { load: async (k) => m.get(k) ?? null, save: async (k, v) => void m.set(k, v) };
}

interface WorkTreeState extends EntityState {
  at: string;
}

interface SavedState {
  version: 1;
  history: HistoryCheckpoint | null;
  timelines: Timelines;
  /** Each entity as last seen in the working tree (with the key of the change that put it there). */
  wt: Record<string, WorkTreeState>;
  people: Record<string, string>;
}

export interface HistoryOptions {
  /** Read the git history (serve and import-bmad do unless --no-git-history). */
  enabled: boolean;
  /** Only commits after this instant (--git-since). */
  since: string | null;
}

export interface HistoryUpdate {
  /** Timeline entries added or changed by this update (new commits, working-tree changes): to be sent. */
  changed: Array<{ entity: string; entry: TimelineEntry }>;
  /** New versions of files from commits read by this update. */
  documentVersions: DocumentVersionMark[];
  /** Planning documents: when each first appeared and was first complete. */
  planning: Record<string, PlanningMark>;
  commitsRead: number;
  full: boolean;
  /** What the history could not give, in words (not a git repository, a shallow clone, …), for the sync status. */
  notes: string[];
  /** Whether the history was read at all. */
  available: boolean;
}

/** A file's time: its last commit's author date when it is committed and unchanged, else its modification time. */
export type FileTime = (rel: string, mtimeMs: number) => number;

const WORKING_TREE_ACTOR: string | null = null;

const reportKey = (entity: string, e: TimelineEntry) => `${entity}|${e.key}|${e.commit?.hash ?? ''}|${e.at}`;

/**
 * A project's history as the connector keeps it: the git history read so far (incrementally, from a checkpoint kept
 * in the store), the working tree's own changes since, and one merged timeline per story and epic.
 */
export class ProjectHistory {
  private state: SavedState = { version: 1, history: null, timelines: {}, wt: {}, people: {} };
  private loaded = false;
  private repo: RepoInfo | null = null;
  private dirty = new Set<string>();
  private reported = new Set<string>();
  private dashboard = new Map<string, string>();

  constructor(
    private readonly root: string,
    private readonly opts: HistoryOptions,
    private readonly store: ConnectorStateStore,
    private readonly stateKey: string,
  ) {}

  get timelines(): Timelines {
    return this.state.timelines;
  }

  /** People who made commits (email -> name), for user.upserted. */
  get people(): Record<string, string> {
    return this.state.people;
  }

  /** The git directory to watch for new commits, when the project is in a git work tree. */
  async gitDirectory(): Promise<string | null> {
    if (!this.opts.enabled) return null;
    try {
      return await gitDir(this.root);
    } catch {
      return null;
    }
  }

  /** The next working-tree change of this story comes from the dashboard (a card move written back to the files). */
  markDashboardChange(storyKey: string, userId: string): void {
    this.dashboard.set(storyRef(storyKey), userId);
  }

  fileTime: FileTime = (rel, mtimeMs) => {
    const committed = this.state.history?.lastCommitByPath[rel];
    if (!committed || this.dirty.has(rel)) return mtimeMs;
    return Date.parse(committed.authorDate);
  };

  /** Reads new commits (all of them the first time) and the working tree's changes against what was seen before. */
  async update(snap: BmadSnapshot & { paths?: ProjectPaths }, now: Date): Promise<HistoryUpdate> {
    if (!this.loaded) {
      const raw = await this.store.load(this.stateKey);
      if (raw) {
        try {
          const parsed = JSON.parse(raw) as SavedState;
          if (parsed.version === 1) this.state = parsed;
        } catch {
          // A state that does not parse is forgotten: the history is read again, every event a duplicate.
        }
      }
      this.loaded = true;
    }
    const update: HistoryUpdate = {
      changed: [],
      documentVersions: [],
      planning: this.state.history?.planning ?? {},
      commitsRead: 0,
      full: false,
      notes: [],
      available: false,
    };
    if (this.opts.enabled && snap.paths) await this.readGit(snap, update);
    else if (!this.opts.enabled) update.notes.push('git history is off (--no-git-history): the history starts with what this server saw');
    this.workTree(snap, now, update);
    return update;
  }

  private async readGit(snap: BmadSnapshot & { paths?: ProjectPaths }, update: HistoryUpdate): Promise<void> {
    try {
      this.repo = await repoInfo(this.root);
      const result = await readHistory({
        root: this.root,
        layout: snap.layout === 'v6-tickets' ? 'v6' : snap.layout,
        paths: snap.paths!,
        historyPaths: snap.historyPaths,
        since: this.opts.since,
        checkpoint: this.state.history,
      });
      update.available = true;
      update.commitsRead = result.commitsRead;
      update.full = result.full;
      update.notes.push(...result.notes);
      update.documentVersions = result.documentVersions;
      for (const t of result.transitions) {
        this.state.people[t.commit.authorEmail] = t.commit.authorName;
        const { entry, changed } = observe(this.state.timelines, t.entity, {
          key: t.key,
          at: t.commit.authorDate,
          fromColumn: t.from?.column ?? null,
          fromStatus: t.from?.status ?? null,
          column: t.to.column,
          status: t.to.status,
          sourceStatus: t.to.sourceStatus,
          seenIn: 'commit',
          commit: t.commit,
          path: t.path,
          actorId: null,
        });
        if (changed) update.changed.push({ entity: t.entity, entry });
      }
      for (const d of result.documentVersions) this.state.people[d.commit.authorEmail] = d.commit.authorName;
      this.state.history = result.checkpoint;
      update.planning = result.checkpoint.planning;
      // Working-tree states the new commits now hold adopt the commits' keys: the next change chains from them.
      for (const [id, s] of Object.entries(result.checkpoint.entities)) {
        const wt = this.state.wt[id];
        if (!wt || sameState(wt, s)) this.state.wt[id] = { ...s, at: wt?.at ?? '' };
      }
      this.dirty = await changedInWorkTree(
        this.repo.top,
        snap.historyPaths.map((p) => (this.repo!.prefix ? `${this.repo!.prefix}/${p}` : p)),
      )
        .then((set) => new Set([...set].map((p) => (this.repo!.prefix ? p.slice(this.repo!.prefix.length + 1) : p))))
        .catch(() => new Set<string>());
    } catch (err) {
      this.repo = null;
      const why = err instanceof GitError ? err.message : (err as Error).message;
      update.notes.push(`git history unavailable: ${why}; the history starts with what this server saw`);
    }
  }

  /** Changes in the working tree against what was last seen there (or at HEAD, the first time). */
  private workTree(snap: BmadSnapshot, now: Date, update: HistoryUpdate): void {
    const current = entitiesOf(snap, new Map(Object.entries(this.state.wt)));
    // A working-tree change happened when the files that hold the status last changed (never later than now).
    const sprintMtime = snap.documents.find((d) => d.path === snap.sprintStatusFile)?.mtimeMs ?? 0;
    const mtimeOf = new Map(
      snap.stories.map((s) => [storyRef(s.key), Math.max(s.mtimeMs, s.records.some((r) => r.kind === 'sprint-status') ? sprintMtime : 0)]),
    );
    // An epic's status is written in sprint-status.yaml (or its epic file, in the ticket layout).
    for (const e of snap.epics) mtimeOf.set(epicRef(e.key), (e.file ? snap.documents.find((d) => d.path === e.file)?.mtimeMs : undefined) ?? sprintMtime);
    const timeOf = (id: string): string => new Date(Math.min(mtimeOf.get(id) || now.getTime(), now.getTime())).toISOString();
    const record = (id: string, from: WorkTreeState | null, to: Omit<EntityState, 'key'>) => {
      const key = transitionKey(id, from, to, from?.key ?? null);
      const by = this.dashboard.get(id) ?? null;
      this.dashboard.delete(id);
      const at = by ? now.toISOString() : timeOf(id);
      const seenAt = from && from.at > at ? new Date(Date.parse(from.at) + 1).toISOString() : at;
      this.state.wt[id] = { ...to, key, at: seenAt };
      const { entry, changed } = observe(this.state.timelines, id, {
        key,
        at: seenAt,
        fromColumn: from?.column ?? null,
        fromStatus: from?.status ?? null,
        column: to.column,
        status: to.status as Status,
        sourceStatus: to.sourceStatus,
        seenIn: by ? 'dashboard' : 'working_tree',
        commit: null,
        path: null,
        actorId: by ?? WORKING_TREE_ACTOR,
      });
      if (changed) update.changed.push({ entity: id, entry });
    };
    for (const [id, to] of current) {
      const was = this.state.wt[id] ?? null;
      if (was && sameState(was, to)) continue;
      record(id, was, to);
    }
    for (const [id, was] of Object.entries(this.state.wt)) {
      if (current.has(id) || id.startsWith(epicRef('')) || (was.status === 'canceled' && was.column === null)) continue;
      record(id, was, REMOVED);
    }
    // Entries already in the timeline but not sent by this process (a restart) go out again: duplicates, not copies.
    const seen = new Set(update.changed.map((c) => reportKey(c.entity, c.entry)));
    for (const [entity, list] of Object.entries(this.state.timelines)) {
      for (const entry of list) {
        const k = reportKey(entity, entry);
        if (this.reported.has(k) || seen.has(k)) continue;
        seen.add(k);
        update.changed.push({ entity, entry });
      }
    }
    update.changed = [...new Map(update.changed.map((c) => [reportKey(c.entity, c.entry), c])).values()];
  }

  /** Everything in the last update was delivered: remember it, and keep the state for the next start. */
  async commit(update: HistoryUpdate): Promise<void> {
    for (const { entity, entry } of update.changed) this.reported.add(reportKey(entity, entry));
    await this.store.save(this.stateKey, JSON.stringify(this.state));
  }

  /** Commit metadata of a person, for events. */
  static personId(email: string): string {
    return `person:${email.trim().toLowerCase()}`.slice(0, 128);
  }
}
