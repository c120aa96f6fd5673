import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { claudeProjectDirs } from '../../config.js';
import type { ConnectorEvent } from '../../connector/bmad/to-events.js';
import { ids } from '../../connector/bmad/to-events.js';
import { scanBmadProject } from '../../connector/bmad/parse/index.js';
import type { StoryRef } from './command-context.js';
import { SessionRuns } from './session-runs.js';
import { attributionAt, isObject, newSession, recordCommands, recordEdits, sessionOfPath, type Json, type SessionState } from './transcript-session.js';
import { CLAUDE_IMPORTER_SOURCE, usageCountsOf, usageEvent, type TokenCounts, type UsageCounts } from './transcript-usage.js';

export { CLAUDE_IMPORTER_SOURCE };

export interface BmadRoot {
  root: string;
  projectKey: string;
  /** The project's stories and their files: a command's arguments or a file the session edited can name one. */
  stories?: readonly StoryRef[];
}

export interface LineIssue {
  file: string;
  line: number;
  message: string;
}

export interface ImportStats {
  files: number;
  linesRead: number;
  usageEntries: number;
  duplicates: number;
  malformed: number;
  apiErrors: number;
  /** Usage entries with a BMAD agent (from the session's slash commands); the rest are unattributed. */
  attributed: number;
  unattributed: number;
  inProject: number;
  outsideProject: number;
  /** Assistant lines Claude Code wrote itself (model `<synthetic>`): no API request, no cost. */
  synthetic: number;
  /** Sessions (sub-agents counted with their session) per BMAD project key, and outside any project. */
  sessionsByProject: Record<string, number>;
  sessionsOutside: number;
  requestsByProject: Record<string, number>;
  tokens: { input: number; output: number; cacheWrite: number; cacheRead: number };
  byWorkflow: Record<string, number>;
}

interface FileState {
  offset: number;
  line: number;
  /** Inside a line over MAX_LINE_BYTES: its bytes are passed over up to its newline. */
  skipping: boolean;
}

/** A transcript line longer than this (a huge pasted image, or a file with no newline at all) is counted and skipped. */
export const MAX_LINE_BYTES = 32 * 1024 * 1024;

/** Where Claude Code keeps its transcripts: `CLAUDE_CONFIG_DIR` (comma-separated) or the two default homes. */
export function defaultClaudeProjectDirs(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string[] {
  return claudeProjectDirs(env, home);
}

/**
 * Claude Code names a session's folder after its working directory with every character other than a letter or a
 * digit turned into "-". A folder can hold a session inside `root` only if its name starts with the encoded root; the
 * encoding is lossy (`/a/b-c` and `/a/b/c` look alike), so lines are still checked against their real cwd.
 */
export function mayHoldSessionsOf(folderName: string, root: string): boolean {
  const encoded = root.replace(/[^A-Za-z0-9]/g, '-');
  return folderName === encoded || folderName.startsWith(`${encoded}-`);
}

/** Every `.jsonl` file under the given folders (sub-agent files included), sorted so a session precedes its sub-agents. */
export async function listTranscriptFiles(dirs: readonly string[]): Promise<string[]> {
  const out = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && e.name.endsWith('.jsonl')) out.add(p);
    }
  };
  for (const d of dirs) await walk(path.resolve(d));
  // "abc.jsonl" sorts before "abc/subagents/…" ('.' < '/'): the session's slash commands are seen first.
  return [...out].sort();
}

/** The BMAD project key of each folder (what `ids.project` is built from); throws for a folder without a BMAD project. */
export async function resolveBmadRoots(dirs: readonly string[]): Promise<BmadRoot[]> {
  const roots: BmadRoot[] = [];
  for (const dir of dirs) {
    const snap = await scanBmadProject(dir);
    const abs = path.resolve(dir);
    const stories = snap.stories.map((s) => ({ key: s.key, file: s.file }));
    roots.push({ root: abs, projectKey: snap.projectKey, stories });
    const real = await fs.promises.realpath(abs).catch(() => abs);
    if (real !== abs) roots.push({ root: real, projectKey: snap.projectKey, stories });
  }
  return roots.sort((a, b) => b.root.length - a.root.length);
}

export function emptyStats(): ImportStats {
  return {
    files: 0,
    linesRead: 0,
    usageEntries: 0,
    duplicates: 0,
    malformed: 0,
    apiErrors: 0,
    attributed: 0,
    unattributed: 0,
    inProject: 0,
    outsideProject: 0,
    synthetic: 0,
    sessionsByProject: {},
    sessionsOutside: 0,
    requestsByProject: {},
    tokens: { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 },
    byWorkflow: {},
  };
}

/**
 * Reads Claude Code transcripts into `cost.recorded` events. It remembers, per file, the byte offset and line number
 * it has read up to (so `--watch` reads only what was appended), per session the cwd and the timeline of BMAD
 * agents/workflows its slash commands named (a usage line takes the latest at or before its timestamp), and the `message.id:requestId` keys already emitted (ccusage's dedup rule). Event ids are
 * a hash of that key, so the same usage imported again is a duplicate for the server as well.
 */
export class ClaudeUsageImporter {
  readonly stats = emptyStats();
  readonly issues: LineIssue[] = [];
  private readonly files = new Map<string, FileState>();
  private readonly sessions = new Map<string, SessionState>();
  private readonly seen = new Set<string>();
  private readonly runs = new SessionRuns(CLAUDE_IMPORTER_SOURCE);

  /**
   * `onlyInProjects`: usage of sessions outside every connected project is counted, not emitted (what `serve` does:
   * a dashboard of BMAD projects has no business storing the rest of a person's Claude Code use).
   */
  constructor(
    private readonly roots: readonly BmadRoot[] = [],
    private readonly options: { onlyInProjects?: boolean; maxLineBytes?: number } = {},
  ) {}

  private get maxLineBytes(): number {
    return this.options.maxLineBytes ?? MAX_LINE_BYTES;
  }

  private rootOf(cwd: string | null): BmadRoot | null {
    if (!cwd) return null;
    const abs = path.resolve(cwd);
    for (const r of this.roots) if (abs === r.root || abs.startsWith(r.root + path.sep)) return r;
    return null;
  }

  projectKeyOf(cwd: string | null): string | null {
    return this.rootOf(cwd)?.projectKey ?? null;
  }

  /** The story whose file this absolute path is, in the project of `cwd`. */
  private storyOfFile(filePath: string, cwd: string | null): string | null {
    const root = this.rootOf(cwd);
    if (!root?.stories) return null;
    const abs = path.resolve(cwd ?? root.root, filePath);
    if (!abs.startsWith(root.root + path.sep)) return null;
    const rel = path.relative(root.root, abs).split(path.sep).join('/');
    return root.stories.find((s) => s.file === rel)?.key ?? null;
  }

  /**
   * Reads a file from where the last read stopped. `partial: 'keep'` leaves an unterminated last line for later (it may
   * still be being written, as under --watch); 'read' treats it as a whole line. Each event goes to `emit` as it is
   * found (awaited, so a caller can flush batches); `onBytes` reports progress.
   */
  async readFile(
    file: string,
    opts: { partial: 'keep' | 'read'; emit: (e: ConnectorEvent) => void | Promise<void>; onBytes?: (n: number) => void },
  ): Promise<void> {
    let state = this.files.get(file);
    if (!state) {
      state = { offset: 0, line: 0, skipping: false };
      this.files.set(file, state);
      this.stats.files++;
    }
    const size = (await fs.promises.stat(file).catch(() => null))?.size;
    if (size === undefined) return;
    if (size < state.offset) {
      // Truncated or replaced: start again (already-emitted keys still dedupe).
      state.offset = 0;
      state.line = 0;
      state.skipping = false;
    }
    if (size === state.offset) return;
    const stream = fs.createReadStream(file, { start: state.offset });
    let pending: Buffer = Buffer.alloc(0);
    for await (const whole of stream as AsyncIterable<Buffer>) {
      opts.onBytes?.(whole.length);
      let chunk = whole;
      if (state.skipping) {
        const end = chunk.indexOf(0x0a);
        if (end < 0) {
          state.offset += chunk.length;
          continue;
        }
        state.offset += end + 1;
        state.line++;
        state.skipping = false;
        this.malformed(file, state.line, `a line longer than ${this.maxLineBytes / 1024 / 1024} MiB: skipped`);
        chunk = chunk.subarray(end + 1);
      }
      let buf = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      let nl: number;
      while ((nl = buf.indexOf(0x0a)) >= 0) {
        const raw = buf.subarray(0, nl);
        buf = buf.subarray(nl + 1);
        state.offset += nl + 1;
        state.line++;
        const event = this.readLine(file, state.line, raw.toString('utf8'));
        if (event) await opts.emit(event);
      }
      if (buf.length > this.maxLineBytes) {
        // Never held whole: what is read of it is dropped, and the rest up to its newline is passed over.
        state.offset += buf.length;
        state.skipping = true;
        pending = Buffer.alloc(0);
        continue;
      }
      pending = Buffer.from(buf);
    }
    if (state.skipping && opts.partial === 'read') {
      state.line++;
      state.skipping = false;
      this.malformed(file, state.line, `a line longer than ${this.maxLineBytes / 1024 / 1024} MiB: skipped`);
    }
    if (pending.length > 0 && opts.partial === 'read') {
      state.offset += pending.length;
      state.line++;
      const event = this.readLine(file, state.line, pending.toString('utf8'));
      if (event) await opts.emit(event);
    }
  }

  private malformed(file: string, line: number, message: string): null {
    this.stats.malformed++;
    this.issues.push({ file, line, message });
    return null;
  }

  private session(id: string): SessionState {
    let s = this.sessions.get(id);
    if (!s) {
      s = newSession();
      this.sessions.set(id, s);
    }
    return s;
  }

  /** Workflow events for the session runs that started, learned their story or ended (idle) since the last call. */
  runEvents(now: number): ConnectorEvent[] {
    return this.runs.drain(now);
  }

  /** One transcript line: a usage event, or null (with the line counted as whatever it was). */
  readLine(file: string, lineNo: number, text: string): ConnectorEvent | null {
    const trimmed = text.trim();
    if (trimmed === '') return null;
    this.stats.linesRead++;
    let obj: unknown;
    try {
      obj = JSON.parse(trimmed);
    } catch (err) {
      return this.malformed(file, lineNo, `not JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    if (!isObject(obj)) return this.malformed(file, lineNo, 'not a JSON object');
    const sessionId = typeof obj.sessionId === 'string' && obj.sessionId !== '' ? obj.sessionId.slice(0, 100) : sessionOfPath(file);
    const session = this.sessionOfLine(sessionId, obj);
    const message = isObject(obj.message) ? obj.message : null;
    const lineAt = typeof obj.timestamp === 'string' ? Date.parse(obj.timestamp) : NaN;
    if (Number.isFinite(lineAt)) session.lastAt = Math.max(session.lastAt, lineAt);
    const cwd = typeof obj.cwd === 'string' ? obj.cwd : session.cwd;

    if (obj.type === 'user') {
      recordCommands(session, message?.content ?? obj.content, lineAt, this.rootOf(session.cwd)?.stories ?? []);
      return null;
    }
    if (obj.type !== 'assistant' || !message) return null;
    recordEdits(session, message.content, lineAt, (target) => this.storyOfFile(target, cwd));
    if (obj.isApiErrorMessage === true) {
      this.stats.apiErrors++;
      // An API error is still activity of its run, and a run whose last lines are errors ended on them.
      if (Number.isFinite(lineAt)) this.runs.touch(sessionId, this.projectKeyOf(cwd), attributionAt(session, lineAt), lineAt, 'error', null);
      return null;
    }
    if (!isObject(message.usage)) return null;
    if (message.model === '<synthetic>') {
      this.stats.synthetic++;
      return null;
    }
    const counts = usageCountsOf(message.usage);
    if (!counts) return this.malformed(file, lineNo, 'message.usage token counts must be non-negative integers');
    if (!Number.isFinite(lineAt)) return this.malformed(file, lineNo, 'an assistant usage line without a valid timestamp');
    return this.usageLine({ file, sessionId, session, line: obj, message, usage: message.usage, counts, at: lineAt, cwd });
  }

  /** The line's session, counted per project the first time its cwd is known. */
  private sessionOfLine(sessionId: string, line: Json): SessionState {
    const session = this.session(sessionId);
    if (typeof line.cwd === 'string' && line.cwd !== '') session.cwd = line.cwd;
    if (!session.counted && session.cwd) {
      session.counted = true;
      session.projectKey = this.projectKeyOf(session.cwd);
      if (session.projectKey) this.stats.sessionsByProject[session.projectKey] = (this.stats.sessionsByProject[session.projectKey] ?? 0) + 1;
      else this.stats.sessionsOutside++;
    }
    return session;
  }

  /** A usage entry that passed validation: deduplicated, attributed, counted and turned into its event. */
  private usageLine(l: UsageLine): ConnectorEvent | null {
    const projectKey = this.projectKeyOf(l.cwd);
    if (!projectKey && this.options.onlyInProjects) {
      this.stats.outsideProject++;
      return null;
    }
    const messageId = typeof l.message.id === 'string' ? l.message.id : null;
    const requestId = typeof l.line.requestId === 'string' ? l.line.requestId : null;
    const key = this.dedupKey(messageId, requestId, l.sessionId, l.at, l.counts.tokens);
    if (key === null) return null;
    const attribution = attributionAt(l.session, l.at);
    const { role, workflow, skill } = attribution;
    // The story its command named, else a story file this workflow's part of the session edited before this request.
    const edited = l.session.edits.filter((e) => e.at >= attribution.at && e.at <= l.at).at(-1)?.storyKey ?? null;
    const storyKey = workflow ? (attribution.storyKey ?? edited) : null;
    // The run this request belongs to: its own workflow run, which the read model joins to the run BMAD's files show
    // for the same work (the story's development run, the project's PRD run) when there is one.
    const workflowId = this.runs.touch(l.sessionId, projectKey, attribution, l.at, 'request', storyKey);
    this.count(l.counts.tokens, projectKey, role !== null, workflow);
    // A sub-agent's lines carry its session's id; its own run is the file (`<session>/subagents/agent-….jsonl`).
    const subagent = path.basename(path.dirname(l.file)) === 'subagents' ? path.basename(l.file, '.jsonl').slice(0, 60) : null;
    return usageEvent({
      key,
      at: l.at,
      line: l.line,
      message: l.message,
      usage: l.usage,
      counts: l.counts,
      projectId: projectKey ? ids.project(projectKey) : null,
      agentId: role ? ids.agent(role) : null,
      workflowId,
      storyId: projectKey && storyKey ? ids.story(projectKey, storyKey) : null,
      requestId,
      sessionId: l.sessionId,
      subagent,
      skill,
      workflow,
    });
  }

  /** ccusage's rule: `message.id:requestId` once; null for a duplicate. Entries without both still get a stable key. */
  private dedupKey(messageId: string | null, requestId: string | null, sessionId: string, at: number, tokens: TokenCounts): string | null {
    if (!messageId || !requestId) return `nokey:${sessionId}:${new Date(at).toISOString()}:${JSON.stringify(tokens)}`;
    const key = `${messageId}:${requestId}`;
    if (this.seen.has(key)) {
      this.stats.duplicates++;
      return null;
    }
    this.seen.add(key);
    return key;
  }

  private count(tokens: TokenCounts, projectKey: string | null, attributed: boolean, workflow: string | null): void {
    const stats = this.stats;
    stats.usageEntries++;
    stats.tokens.input += tokens.input;
    stats.tokens.output += tokens.output;
    stats.tokens.cacheWrite += tokens.cacheWrite;
    stats.tokens.cacheRead += tokens.cacheRead;
    if (projectKey) {
      stats.inProject++;
      stats.requestsByProject[projectKey] = (stats.requestsByProject[projectKey] ?? 0) + 1;
    } else stats.outsideProject++;
    if (attributed) stats.attributed++;
    else stats.unattributed++;
    if (workflow) stats.byWorkflow[workflow] = (stats.byWorkflow[workflow] ?? 0) + 1;
  }
}

interface UsageLine {
  file: string;
  sessionId: string;
  session: SessionState;
  line: Json;
  message: Json;
  usage: Json;
  counts: UsageCounts;
  at: number;
  cwd: string | null;
}
