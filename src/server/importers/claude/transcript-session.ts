import path from 'node:path';
import { storyNamedIn, commandContext, type StoryRef } from './command-context.js';
import { findBmadCommands, type AgentRole } from './commands.js';

export type Json = Record<string, unknown>;
export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a session's slash command said about the work from an instant on. */
export interface Attribution {
  /** From this instant (ms) on… */
  at: number;
  role: AgentRole | null;
  workflow: string | null;
  /** The command as typed (`bmad-dev-story`, `bmad:bmm:workflows:dev-story`). */
  skill: string | null;
  /** The story its arguments named, when exactly one story fits. */
  storyKey: string | null;
}

export interface SessionState {
  /** What the session's slash commands said, in time order: a usage line takes the latest one at or before it. */
  timeline: Attribution[];
  cwd: string | null;
  lastAt: number;
  /** Story files the session edited (Edit / Write tool calls), in time order. */
  edits: { at: number; storyKey: string }[];
  projectKey: string | null;
  counted: boolean;
}

export const newSession = (): SessionState => ({ timeline: [], cwd: null, lastAt: -Infinity, edits: [], projectKey: null, counted: false });

/** The latest slash-command attribution at or before `at` (sub-agent files are read after their session's file). */
export function attributionAt(session: SessionState, at: number): Attribution {
  for (let i = session.timeline.length - 1; i >= 0; i--) if (session.timeline[i]!.at <= at) return session.timeline[i]!;
  return { at: -Infinity, role: null, workflow: null, skill: null, storyKey: null };
}

/** The session a transcript file belongs to when its lines do not say (a sub-agent's file sits under its session's folder). */
export function sessionOfPath(file: string): string {
  const dir = path.dirname(file);
  if (path.basename(dir) === 'subagents') return path.basename(path.dirname(dir));
  return path.basename(file, '.jsonl');
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

/** A user line: every BMAD slash command in it joins the session's timeline, in time order. */
export function recordCommands(session: SessionState, content: unknown, lineAt: number, stories: readonly StoryRef[]): void {
  const text = textOf(content);
  const commands = findBmadCommands(text);
  if (commands.length === 0) return;
  const context = commandContext(text);
  for (const c of commands) {
    const at = Number.isFinite(lineAt) ? lineAt : session.lastAt;
    const prev = attributionAt(session, at);
    const storyKey = storyNamedIn(context.args, stories);
    // A workflow keeps the loaded agent when it has no role of its own; loading an agent ends the workflow.
    const next: Attribution = c.workflow
      ? { at, role: c.role ?? prev.role, workflow: c.workflow, skill: context.skill, storyKey }
      : { at, role: c.role, workflow: null, skill: context.skill, storyKey: null };
    let i = session.timeline.length;
    while (i > 0 && session.timeline[i - 1]!.at > at) i--;
    session.timeline.splice(i, 0, next);
  }
}

const EDIT_TOOLS = new Set(['Edit', 'Write', 'MultiEdit', 'NotebookEdit']);

/** An assistant line's Edit / Write tool calls on story files: what ties later requests of the workflow to the story. */
export function recordEdits(session: SessionState, content: unknown, lineAt: number, storyOfFile: (target: string) => string | null): void {
  if (!Array.isArray(content) || !Number.isFinite(lineAt)) return;
  for (const c of content) {
    if (!isObject(c) || c.type !== 'tool_use' || typeof c.name !== 'string' || !EDIT_TOOLS.has(c.name) || !isObject(c.input)) continue;
    const target = typeof c.input.file_path === 'string' ? c.input.file_path : typeof c.input.notebook_path === 'string' ? c.input.notebook_path : null;
    const storyKey = target ? storyOfFile(target) : null;
    if (storyKey) session.edits.push({ at: lineAt, storyKey });
  }
}
