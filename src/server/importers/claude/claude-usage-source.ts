import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import chokidar, { type FSWatcher } from 'chokidar';
import type { Logger } from '../../observability/logger.js';
import { Batcher, type Ingest } from './batcher.js';
import { CLAUDE_IMPORTER_SOURCE, ClaudeUsageImporter, listTranscriptFiles, mayHoldSessionsOf, type BmadRoot } from './importer.js';
import { ids } from '../../connector/bmad/to-events.js';

export interface ClaudeUsageReport {
  /** The transcript folders that exist (of those configured). */
  dirs: string[];
  sessionsByProject: Record<string, number>;
  requestsByProject: Record<string, number>;
  /** Sessions whose working directory is in no connected project (not imported). */
  sessionsOutside: number;
  malformed: number;
  newEvents: number;
}

/**
 * Claude Code usage for `serve`: the transcripts of sessions run inside a connected BMAD project are imported at start
 * and tailed while the server runs, each appended line read from the file's remembered offset. A folder whose name
 * cannot hold such a session (Claude Code names folders after the session's cwd) is never opened, so the rest of a
 * person's Claude Code history is neither read nor stored; its sessions are only counted.
 */
export class ClaudeUsageSource {
  private readonly importer: ClaudeUsageImporter;
  private readonly batcher: Batcher;
  private watcher: FSWatcher | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly foldersOutside = new Set<string>();
  private sessionsInFoldersOutside = 0;
  private existing: string[] = [];
  private readonly candidateFolders: string[] = [];

  constructor(
    private readonly dirs: readonly string[],
    private readonly roots: readonly BmadRoot[],
    private readonly ingest: Ingest,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.importer = new ClaudeUsageImporter(roots, { onlyInProjects: true });
    this.batcher = new Batcher(ingest);
  }

  /** Whether a transcript file may belong to a connected project, by the folder Claude Code put it in. */
  private candidate(file: string): boolean {
    const dir = this.existing.find((d) => file.startsWith(d + path.sep));
    if (!dir) return false;
    const folder = path.relative(dir, file).split(path.sep)[0]!;
    return this.roots.some((r) => mayHoldSessionsOf(folder, r.root));
  }

  /** Imports everything there is, then keeps watching. Resolves once the first import is stored. */
  async start(): Promise<ClaudeUsageReport> {
    this.existing = this.dirs.map((d) => path.resolve(d)).filter((d) => fs.statSync(d, { throwIfNoEntry: false })?.isDirectory());
    const files: string[] = [];
    for (const dir of this.existing) {
      for (const entry of await fs.promises.readdir(dir, { withFileTypes: true }).catch(() => [])) {
        if (!entry.isDirectory()) continue;
        const folder = path.join(dir, entry.name);
        if (this.roots.some((r) => mayHoldSessionsOf(entry.name, r.root))) {
          this.candidateFolders.push(folder);
          files.push(...(await listTranscriptFiles([folder])));
        } else {
          this.foldersOutside.add(folder);
          const top = await fs.promises.readdir(folder).catch(() => []);
          this.sessionsInFoldersOutside += top.filter((f) => f.endsWith('.jsonl')).length;
        }
      }
    }
    for (const file of files) await this.read(file);
    await this.reportRuns();
    await this.reportSync();
    if (this.existing.length > 0) await this.watch();
    // A session that simply stops writing has ended once idle long enough: checked every minute.
    this.idleTimer = setInterval(() => this.enqueue(() => this.reportRuns()), 60_000);
    this.idleTimer.unref();
    return this.report();
  }

  report(): ClaudeUsageReport {
    const s = this.importer.stats;
    return {
      dirs: this.existing,
      sessionsByProject: { ...s.sessionsByProject },
      requestsByProject: { ...s.requestsByProject },
      sessionsOutside: s.sessionsOutside + this.sessionsInFoldersOutside,
      malformed: s.malformed,
      newEvents: this.batcher.totals.accepted,
    };
  }

  private async read(file: string): Promise<void> {
    const issues = this.importer.issues.length;
    await this.importer.readFile(file, { partial: 'keep', emit: (e) => this.batcher.add(e) });
    for (const i of this.importer.issues.slice(issues, issues + 5)) this.logger.warn({ file: i.file, line: i.line }, `Claude Code transcript: ${i.message}`);
  }

  /**
   * Cost and agent activity of each connected project now have a source: said once per start, so the Costs and
   * Analytics pages do not claim that nothing is connected. Transcripts are written only while someone works, so no
   * reporting interval is promised (a quiet week is not a stale source).
   */
  private async reportSync(): Promise<void> {
    // No transcript home on this machine: Claude Code is not here, and nothing is connected.
    if (this.existing.length === 0) return;
    const at = new Date(this.now()).toISOString();
    const events: Parameters<Ingest>[0][number][] = [];
    const sessions = this.importer.stats.sessionsByProject;
    for (const projectKey of new Set(this.roots.map((r) => r.projectKey))) {
      for (const module of ['cost', 'agent'] as const) {
        const entityId = `${ids.project(projectKey)}:claude-code:${module}`;
        const note = `Claude Code transcripts on this machine: ${sessions[projectKey] ?? 0} sessions of this project`;
        events.push({
          id: `claude-sync-${createHash('sha256').update(`${entityId}\n${at}`).digest('hex').slice(0, 40)}`,
          source: CLAUDE_IMPORTER_SOURCE,
          type: 'sync.reported',
          occurredAt: at,
          entity: { type: 'sync', id: entityId },
          projectId: ids.project(projectKey),
          payload: { module, status: 'ok', note },
        });
      }
    }
    // Straight to ingestion, not through the batcher: `newEvents` counts usage and runs only.
    const res = await this.ingest(events);
    if (res.rejected > 0) this.logger.warn({ rejected: res.rejected }, 'Claude Code sync report was refused');
  }

  /** The session runs that started, learned their story or ended, then everything pending, stored. */
  private async reportRuns(): Promise<void> {
    for (const e of this.importer.runEvents(this.now())) await this.batcher.add(e);
    await this.batcher.flush();
  }

  private enqueue(work: () => Promise<void>, file?: string): void {
    this.queue = this.queue.then(work).catch((err: unknown) => this.logger.warn({ err, file }, 'Claude Code transcript could not be read'));
  }

  private async watch(): Promise<void> {
    const onFile = (file: string) => {
      if (!file.endsWith('.jsonl') || !this.candidate(file)) return;
      this.enqueue(async () => {
        await this.read(file);
        await this.reportRuns();
      }, file);
    };
    // Only the folders that can hold a connected project's sessions, and the top level for new ones.
    this.watcher = chokidar.watch(this.existing, {
      ignoreInitial: true,
      persistent: true,
      ignored: (p: string) => [...this.foldersOutside].some((f) => p === f || p.startsWith(f + path.sep)),
    });
    this.watcher.on('add', onFile).on('change', onFile);
    this.watcher.on('error', (err: unknown) => this.logger.warn({ err }, 'watching Claude Code transcripts failed'));
    await new Promise<void>((resolve) => this.watcher!.once('ready', () => resolve()));
    // Lines written between the first read and the watcher being ready.
    for (const file of await listTranscriptFiles(this.candidateFolders)) onFile(file);
    await this.queue;
  }

  /** Stops watching after what is being read is stored. */
  async stop(): Promise<void> {
    clearInterval(this.idleTimer);
    await this.watcher?.close();
    await this.queue;
  }
}
