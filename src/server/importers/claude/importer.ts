import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConnectorEvent } from '../../connector/bmad/to-events.js';
import { ids } from '../../connector/bmad/to-events.js';
import { scanBmadProject } from '../../connector/bmad/parse/index.js';
import { findBmadCommands, type AgentRole } from './commands.js';

export const CLAUDE_IMPORTER_SOURCE = 'claude-code-importer';

/** Planning workflows the BMAD connector publishes as `plan:{name}` workflow entities (per project). */
const PLANNING_WORKFLOWS = new Set(['create-product-brief', 'create-prd', 'create-ux-design', 'create-architecture', 'create-epics-and-stories', 'check-implementation-readiness']);

export interface BmadRoot {
  root: string;
  projectKey: string;
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
  tokens: { input: number; output: number; cacheWrite: number; cacheRead: number };
  byWorkflow: Record<string, number>;
}

interface FileState {
  offset: number;
  line: number;
}

interface Attribution {
  /** From this instant (ms) on… */
  at: number;
  role: AgentRole | null;
  workflow: string | null;
}

interface SessionState {
  /** What the session's slash commands said, in time order: a usage line takes the latest one at or before it. */
  timeline: Attribution[];
  cwd: string | null;
  lastAt: number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 1e12;
const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 40);

/** Where Claude Code keeps its transcripts: `CLAUDE_CONFIG_DIR` (comma-separated) or the two default homes. */
export function defaultClaudeProjectDirs(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string[] {
  const configured = env.CLAUDE_CONFIG_DIR?.split(',').map((d) => d.trim()).filter(Boolean);
  const bases = configured && configured.length > 0 ? configured : [path.join(home, '.config', 'claude'), path.join(home, '.claude')];
  return bases.map((b) => path.join(path.resolve(b), 'projects'));
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
    roots.push({ root: abs, projectKey: snap.projectKey });
    const real = await fs.promises.realpath(abs).catch(() => abs);
    if (real !== abs) roots.push({ root: real, projectKey: snap.projectKey });
  }
  return roots.sort((a, b) => b.root.length - a.root.length);
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((c) => (isObject(c) && typeof c.text === 'string' ? c.text : typeof c === 'string' ? c : ''))
      .filter(Boolean)
      .join('\n');
  }
  return '';
}

/** The latest slash-command attribution at or before `at` (sub-agent files are read after their session's file). */
function attributionAt(session: SessionState, at: number): Attribution {
  for (let i = session.timeline.length - 1; i >= 0; i--) if (session.timeline[i]!.at <= at) return session.timeline[i]!;
  return { at: -Infinity, role: null, workflow: null };
}

function sessionOfPath(file: string): string {
  const dir = path.dirname(file);
  if (path.basename(dir) === 'subagents') return path.basename(path.dirname(dir));
  return path.basename(file, '.jsonl');
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

  constructor(private readonly roots: readonly BmadRoot[] = []) {}

  projectKeyOf(cwd: string | null): string | null {
    if (!cwd) return null;
    const abs = path.resolve(cwd);
    for (const r of this.roots) if (abs === r.root || abs.startsWith(r.root + path.sep)) return r.projectKey;
    return null;
  }

  /**
   * Reads a file from where the last read stopped. `partial: 'keep'` leaves an unterminated last line for later (it may
   * still be being written, as under --watch); 'read' treats it as a whole line. Each event goes to `emit` as it is
   * found (awaited, so a caller can flush batches); `onBytes` reports progress.
   */
  async readFile(file: string, opts: { partial: 'keep' | 'read'; emit: (e: ConnectorEvent) => void | Promise<void>; onBytes?: (n: number) => void }): Promise<void> {
    let state = this.files.get(file);
    if (!state) {
      state = { offset: 0, line: 0 };
      this.files.set(file, state);
      this.stats.files++;
    }
    const size = (await fs.promises.stat(file).catch(() => null))?.size;
    if (size === undefined) return;
    if (size < state.offset) {
      // Truncated or replaced: start again (already-emitted keys still dedupe).
      state.offset = 0;
      state.line = 0;
    }
    if (size === state.offset) return;
    const stream = fs.createReadStream(file, { start: state.offset });
    let pending: Buffer = Buffer.alloc(0);
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      opts.onBytes?.(chunk.length);
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
      pending = Buffer.from(buf);
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
      s = { timeline: [], cwd: null, lastAt: -Infinity };
      this.sessions.set(id, s);
    }
    return s;
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
    const sessionId = typeof obj.sessionId === 'string' && obj.sessionId !== '' ? obj.sessionId : sessionOfPath(file);
    const session = this.session(sessionId);
    if (typeof obj.cwd === 'string' && obj.cwd !== '') session.cwd = obj.cwd;
    const message = isObject(obj.message) ? obj.message : null;

    const lineAt = typeof obj.timestamp === 'string' ? Date.parse(obj.timestamp) : NaN;
    if (Number.isFinite(lineAt)) session.lastAt = Math.max(session.lastAt, lineAt);

    if (obj.type === 'user') {
      for (const c of findBmadCommands(textOf(message?.content ?? obj.content))) {
        const at = Number.isFinite(lineAt) ? lineAt : session.lastAt;
        const prev = attributionAt(session, at);
        // A workflow keeps the loaded agent when it has no role of its own; loading an agent ends the workflow.
        const next: Attribution = c.workflow ? { at, role: c.role ?? prev.role, workflow: c.workflow } : { at, role: c.role, workflow: null };
        let i = session.timeline.length;
        while (i > 0 && session.timeline[i - 1]!.at > at) i--;
        session.timeline.splice(i, 0, next);
      }
      return null;
    }
    if (obj.type !== 'assistant' || !message || !isObject(message.usage)) return null;
    if (obj.isApiErrorMessage === true) {
      this.stats.apiErrors++;
      return null;
    }
    const u = message.usage;
    const input = u.input_tokens ?? 0;
    const output = u.output_tokens ?? 0;
    const cacheWrite = u.cache_creation_input_tokens ?? 0;
    const cacheRead = u.cache_read_input_tokens ?? 0;
    if (!isCount(input) || !isCount(output) || !isCount(cacheWrite) || !isCount(cacheRead)) {
      return this.malformed(file, lineNo, 'message.usage token counts must be non-negative integers');
    }
    const ts = lineAt;
    if (!Number.isFinite(ts)) return this.malformed(file, lineNo, 'an assistant usage line without a valid timestamp');

    const messageId = typeof message.id === 'string' ? message.id : null;
    const requestId = typeof obj.requestId === 'string' ? obj.requestId : null;
    const tokens = { input, output, cacheWrite, cacheRead };
    let key: string;
    if (messageId && requestId) {
      key = `${messageId}:${requestId}`;
      if (this.seen.has(key)) {
        this.stats.duplicates++;
        return null;
      }
      this.seen.add(key);
    } else {
      // ccusage keeps entries it cannot key; the id still has to be stable across runs.
      key = `nokey:${sessionId}:${new Date(ts).toISOString()}:${JSON.stringify(tokens)}`;
    }

    const model = typeof message.model === 'string' && message.model.trim() !== '' ? message.model.trim().slice(0, 128) : null;
    const costUSD = typeof obj.costUSD === 'number' && Number.isFinite(obj.costUSD) && obj.costUSD >= 0 ? obj.costUSD : null;
    const projectKey = this.projectKeyOf(typeof obj.cwd === 'string' ? obj.cwd : session.cwd);
    const projectId = projectKey ? ids.project(projectKey) : null;
    const { role, workflow } = attributionAt(session, ts);
    const agentId = role ? ids.agent(role) : null;
    const workflowId = projectKey && workflow && PLANNING_WORKFLOWS.has(workflow) ? ids.workflow(projectKey, `plan:${workflow}`) : null;

    this.stats.usageEntries++;
    this.stats.tokens.input += input;
    this.stats.tokens.output += output;
    this.stats.tokens.cacheWrite += cacheWrite;
    this.stats.tokens.cacheRead += cacheRead;
    if (projectId) this.stats.inProject++;
    else this.stats.outsideProject++;
    if (agentId) this.stats.attributed++;
    else this.stats.unattributed++;
    if (workflow) this.stats.byWorkflow[workflow] = (this.stats.byWorkflow[workflow] ?? 0) + 1;

    const digest = sha(key);
    return {
      id: `claude-${digest}`,
      source: CLAUDE_IMPORTER_SOURCE,
      type: 'cost.recorded',
      occurredAt: new Date(ts).toISOString(),
      entity: { type: 'cost', id: `claude-cost-${digest}` },
      ...(projectId ? { projectId } : {}),
      ...(workflowId ? { workflowId } : {}),
      payload: {
        ...(costUSD !== null ? { amount: costUSD, currency: 'USD' } : {}),
        projectId,
        agentId,
        workflowId,
        model,
        tokens,
      },
    };
  }
}
