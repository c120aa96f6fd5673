import { createHash } from 'node:crypto';
import { unwatchFile, watchFile } from 'node:fs';
import path from 'node:path';
import chokidar, { type FSWatcher } from 'chokidar';
import { SpanStatusCode } from '@opentelemetry/api';
import type { IngestResponse } from '../../../contracts/index.js';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../observability/logger.js';
import { withSpan } from '../../observability/tracing.js';
import { memoryStateStore, ProjectHistory, type ConnectorStateStore, type HistoryOptions } from './history/project-history.js';
import type { BmadSnapshot, BmadStory } from './model.js';
import { NoBmadProjectError } from './parse/layout.js';
import { retimed, snapshotToEvents, syncEvents, type ConnectorEvent } from './to-events.js';

export interface ConnectorDeps {
  /** Where events go: the in-process ingestion service, or a remote server's ingestion API. */
  ingest(events: ConnectorEvent[]): Promise<IngestResponse>;
  /** Reads the project; called again on every change burst with the same cache, which re-parses only changed files. */
  scan(root: string): Promise<BmadSnapshot>;
  clock: Clock;
  logger: Logger;
  /** Told where the project's files live, so the Documents module can serve them. */
  onProjectKnown?(projectKey: string, root: string): void;
  /** Bursts of file events (an editor's save-by-rename, a git checkout) become one rescan after this quiet time. */
  debounceMs?: number;
  /** How often sync health is re-reported while nothing changes, so a quiet project is not mistaken for a stale one. */
  heartbeatMs?: number;
  /** Called once for each consistency finding that was not there in the previous scan (a metric counts them). */
  onNewFinding?(kind: string): void;
  /** Called after each delivered batch (an import's progress bar). */
  onProgress?(done: number, total: number): void;
  /** The project's git history (on unless --no-git-history), and how far back it goes. */
  history?: HistoryOptions;
  /** Where the history checkpoint is kept between runs; in memory when not given (a remote import). */
  stateStore?: ConnectorStateStore;
  /** How often the git directory is polled for a new commit (a commit changes no watched file). */
  commitPollMs?: number;
}

export interface SyncResult {
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  errors: number;
  /** The first delivery failure or rejection, in words, for a person running an import. */
  firstProblem?: string;
}

/** Events per delivery: the ingestion API's own limit (1,000), so one shape serves local and remote imports. */
const SEND_BATCH = 1000;

const IGNORED = /(^|[/\\])(\.git|node_modules|\.DS_Store)([/\\]|$)|~$|\.sw[px]$|\.tmp-[^/\\]*$/;

/**
 * Keeps one BMAD project folder mirrored as events: a full scan at start, then a debounced rescan on every file
 * change. Only events whose content changed since the last successful send go out (their ids are content hashes, so
 * a replay is a duplicate anyway). A file that cannot be parsed keeps its last good data and marks sync as failed.
 */
export class BmadProjectConnector {
  private watcher: FSWatcher | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private running: Promise<SyncResult> | undefined;
  private dirty = false;
  private stopped = false;
  /** Per entity, the last event delivered: the id its content implies (before any retiming) and its occurredAt (ms). */
  private readonly sent = new Map<string, { id: string; at: number }>();
  private readonly computedId = new WeakMap<ConnectorEvent, string>();
  private last: BmadSnapshot | undefined;
  private readonly history: ProjectHistory;
  private readonly loggedNotes = new Set<string>();
  private watchedGit: string[] = [];
  private lastNotes: string[] = [];
  /** What the history could not give, in words (the sync status says the same). */
  get notes(): readonly string[] {
    return this.lastNotes;
  }

  /** Why the last scan could not read the project at all, in one line (no BMAD project here, …). */
  lastError: string | undefined;
  readonly root: string;

  constructor(
    root: string,
    private readonly d: ConnectorDeps,
  ) {
    this.root = path.resolve(root);
    const stateKey = `bmad-connector:${createHash('sha256').update(this.root).digest('hex').slice(0, 16)}`;
    this.history = new ProjectHistory(this.root, d.history ?? { enabled: true, since: null }, d.stateStore ?? memoryStateStore(), stateKey);
  }

  /** The next change of this story in the files comes from the dashboard (a card moved by `userId`). */
  markDashboardChange(storyKey: string, userId: string): void {
    this.history.markDashboardChange(storyKey, userId);
  }

  get snapshot(): BmadSnapshot | undefined {
    return this.last;
  }

  async start(opts: { watch: boolean }): Promise<SyncResult> {
    const first = await this.sync();
    if (opts.watch && !this.stopped) {
      this.watcher = chokidar.watch(this.root, { ignoreInitial: true, ignored: (p: string) => IGNORED.test(p), atomic: 50 });
      this.watcher.on('all', () => this.schedule());
      this.watcher.on('error', (err) => this.d.logger.warn({ err, root: this.root }, 'BMAD watcher error'));
      await new Promise<void>((resolve) => this.watcher!.once('ready', () => resolve()));
      // A commit changes no file the watcher follows: the git directory's HEAD and reflog tell.
      const gitDirectory = await this.history.gitDirectory();
      if (gitDirectory && !this.stopped) {
        this.watchedGit = [path.join(gitDirectory, 'HEAD'), path.join(gitDirectory, 'logs', 'HEAD')];
        for (const f of this.watchedGit) watchFile(f, { interval: this.d.commitPollMs ?? 300, persistent: false }, () => this.schedule());
      }
      const every = this.d.heartbeatMs ?? 60_000;
      this.heartbeat = setInterval(() => void this.reportSync(), every);
      this.heartbeat.unref();
    }
    return first;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    for (const f of this.watchedGit) unwatchFile(f);
    await this.watcher?.close();
    await this.running?.catch(() => undefined);
  }

  /** Rescans now (serialised: a change during a scan triggers exactly one more scan afterwards). */
  sync(): Promise<SyncResult> {
    if (this.running) {
      this.dirty = true;
      return this.running;
    }
    // bmad.scan: the read of the folder and the ingest of what changed (its write rounds join this trace).
    const scan = withSpan('bmad.scan', { 'bmad.project.root': this.root }, (span) =>
      this.runOnce().then((r) => {
        span.setAttributes({ 'bmad.scan.sent': r.sent, 'bmad.scan.accepted': r.accepted, 'bmad.scan.rejected': r.rejected, 'bmad.scan.errors': r.errors });
        if (r.firstProblem) span.setStatus({ code: SpanStatusCode.ERROR, message: r.firstProblem.slice(0, 300) });
        return r;
      }),
    );
    this.running = scan.finally(() => {
      this.running = undefined;
      if (this.dirty && !this.stopped) {
        this.dirty = false;
        void this.sync();
      }
    });
    return this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.sync(), this.d.debounceMs ?? 60);
  }

  private async runOnce(): Promise<SyncResult> {
    const previous = this.last;
    let snap: BmadSnapshot;
    try {
      snap = await this.d.scan(this.root);
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      // A folder that is no BMAD project is a fact to state in one line, not a crash to dump.
      if (err instanceof NoBmadProjectError) this.d.logger.error({ root: this.root }, this.lastError);
      else this.d.logger.error({ err, root: this.root }, 'BMAD project could not be read');
      return { sent: 0, accepted: 0, duplicates: 0, rejected: 0, errors: 1, firstProblem: this.lastError };
    }
    this.lastError = undefined;
    snap = keepLastGood(snap, previous);
    const findingKey = (f: { kind: string; file: string; storyKey?: string | undefined }) => `${f.kind}|${f.storyKey ?? ''}|${f.file}`;
    const known = new Set((previous?.findings ?? []).map(findingKey));
    for (const f of snap.findings) if (!known.has(findingKey(f))) this.d.onNewFinding?.(f.kind);
    this.d.onProjectKnown?.(snap.projectKey, this.root);
    const now = this.d.clock.now();
    const current = new Set(snap.stories.map((s) => s.key));
    const removedStories = previous && previous.projectKey === snap.projectKey ? previous.stories.filter((s) => !current.has(s.key)) : [];
    const paths = new Set(snap.documents.map((d) => d.path));
    const removedDocuments = previous && previous.projectKey === snap.projectKey ? previous.documents.filter((d) => !paths.has(d.path)).map((d) => d.path) : [];
    const history = await this.history.update(snap, now);
    for (const note of history.notes) {
      if (this.loggedNotes.has(note)) continue;
      this.loggedNotes.add(note);
      this.d.logger.warn({ root: this.root }, `BMAD project ${snap.projectName}: ${note}`);
    }
    if (history.commitsRead > 0) this.d.logger.info({ root: this.root, commits: history.commitsRead, full: history.full }, 'BMAD project history read');
    this.lastNotes = history.notes;
    const all = snapshotToEvents(snap, {
      removedStories,
      removedDocuments,
      now,
      changed: history.changed,
      timelines: this.history.timelines,
      fileTime: this.history.fileTime,
      documentVersions: history.documentVersions,
      planning: history.planning,
      people: this.history.people,
    });
    const changed = all
      .filter((e) => this.sent.get(slotOf(e))?.id !== e.id)
      .map((e) => {
        // File times do not always move with a change (a status edited in sprint-status.yaml keeps the story file's
        // time): a changed entity must still be newer than what we sent before, or "newest wins" would ignore it.
        const before = this.sent.get(slotOf(e));
        if (!before || !SINGLE_STATE.has(e.type) || Date.parse(e.occurredAt) > before.at) return e;
        const later = retimed(e, new Date(before.at + 1).toISOString());
        this.computedId.set(later, e.id);
        return later;
      });
    const result = await this.send([...changed, ...syncEvents(snap, now, 5 * 60_000, history.notes)]);
    this.last = snap;
    if (result.errors === 0 && result.rejected === 0) await this.history.commit(history);
    return result;
  }

  private async reportSync(): Promise<void> {
    if (!this.last || this.running) return;
    await this.send(syncEvents(this.last, this.d.clock.now(), 5 * 60_000, this.lastNotes));
  }

  private async send(events: ConnectorEvent[]): Promise<SyncResult> {
    const result: SyncResult = { sent: 0, accepted: 0, duplicates: 0, rejected: 0, errors: 0 };
    for (let i = 0; i < events.length; i += SEND_BATCH) {
      const batch = events.slice(i, i + SEND_BATCH);
      try {
        const res = await this.d.ingest(batch);
        result.sent += batch.length;
        result.accepted += res.accepted;
        result.duplicates += res.duplicates;
        result.rejected += res.rejected;
        this.d.onProgress?.(Math.min(i + batch.length, events.length), events.length);
        res.results.forEach((r, j) => {
          const e = batch[j]!;
          if (r.status === 'rejected') {
            result.firstProblem ??= `${e.type} ${e.entity.id} was rejected: ${JSON.stringify(r).slice(0, 300)}`;
            this.d.logger.warn({ root: this.root, eventType: e.type, entity: e.entity.id, result: r }, 'BMAD connector event rejected');
          } else if (e.type !== 'sync.reported') {
            this.sent.set(slotOf(e), { id: this.computedId.get(e) ?? e.id, at: Date.parse(e.occurredAt) });
          }
        });
      } catch (err) {
        result.errors += 1;
        result.firstProblem ??= err instanceof Error ? err.message : String(err);
        this.d.logger.error({ err, root: this.root }, 'BMAD connector could not deliver events; they are re-sent on the next change');
      }
    }
    return result;
  }
}

/** Events that state an entity's whole current state: a newer one replaces the older (one slot per entity). */
const SINGLE_STATE = new Set(['project.upserted', 'story.upserted', 'epic.upserted', 'agent.upserted', 'user.upserted', 'consistency.reported']);

/** Where an event sits in "what was sent": one slot per entity for states, one per transition or version otherwise. */
function slotOf(e: ConnectorEvent): string {
  if (SINGLE_STATE.has(e.type)) return `${e.type}|${e.entity.id}`;
  const key = (e.payload as { transitionKey?: unknown }).transitionKey;
  if (typeof key === 'string') return `${e.type}|${e.entity.id}|${key}|${(e.payload as { commit?: { hash?: string } }).commit?.hash ?? ''}`;
  if (e.type === 'workflow.upserted' || (e.type === 'document.registered' && !(e.payload as { commit?: unknown }).commit)) return `${e.type}|${e.entity.id}`;
  return `${e.type}|${e.entity.id}|${e.occurredAt}`;
}

/** Stories whose file failed to parse this time keep their last good version instead of vanishing. */
function keepLastGood(snap: BmadSnapshot, previous: BmadSnapshot | undefined): BmadSnapshot {
  if (!previous || snap.errors.length === 0) return snap;
  const broken = new Set(snap.errors.map((e) => e.file));
  const have = new Set(snap.stories.map((s) => s.key));
  const kept: BmadStory[] = previous.stories.filter((s) => s.file !== null && broken.has(s.file) && !have.has(s.key));
  if (kept.length === 0 && !previous.sprintStatusFile) return snap;
  // A broken sprint-status.yaml would otherwise flip every story back to its file's status: keep the previous board.
  if (snap.sprintStatusFile && broken.has(snap.sprintStatusFile)) {
    const prev = new Map(previous.stories.map((s) => [s.key, s]));
    return { ...snap, stories: snap.stories.map((s) => prev.get(s.key) ?? s).concat(kept), epics: previous.epics };
  }
  return { ...snap, stories: [...snap.stories, ...kept] };
}
