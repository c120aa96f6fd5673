import { createHash } from 'node:crypto';
import type { ConnectorEvent } from '../../connector/bmad/to-events.js';
import { ids } from '../../connector/bmad/to-events.js';

/** A session part with no request for this long has ended (Claude Code writes no "session closed" line). */
export const SESSION_IDLE_MS = 30 * 60_000;

export interface RunAttribution {
  /** When the slash command that started this part of the session was typed (ms). */
  at: number;
  workflow: string | null;
  role: string | null;
  skill: string | null;
}

interface Run {
  id: string;
  projectKey: string;
  attributionAt: number;
  workflow: string;
  agentId: string | null;
  skill: string | null;
  storyKey: string | null;
  startAt: number;
  lastAt: number;
  lastWasError: boolean;
  reportedStart: boolean;
  reportedStory: string | null;
  reportedEnd: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * The workflow runs Claude Code sessions really made: each part of a session that ran a BMAD workflow (from its slash
 * command to the next one, split where the session sat idle for SESSION_IDLE_MS) is one run, reported as ordinary
 * workflow events — in progress from its first line, done (or failed, when its last lines were API errors) once it
 * has been idle. Sub-agent lines belong to the run of their session that covers their time. Run ids derive from the
 * session, the command and the run's place, so reading the same transcripts again reports the same runs.
 */
export class SessionRuns {
  private readonly bySession = new Map<string, Run[]>();

  constructor(private readonly source: string) {}

  /** The run a request (or an API error) at `ts` belongs to, made when it is the first; null outside a workflow or project. */
  touch(sessionId: string, projectKey: string | null, a: RunAttribution, ts: number, kind: 'request' | 'error', storyKey: string | null): string | null {
    if (!a.workflow || !projectKey) return null;
    const runs = this.bySession.get(sessionId) ?? [];
    this.bySession.set(sessionId, runs);
    const mine = runs.filter((r) => r.attributionAt === a.at);
    let run = mine.filter((r) => ts >= r.startAt - SESSION_IDLE_MS && ts <= r.lastAt + SESSION_IDLE_MS).at(-1);
    if (!run) {
      const start = mine.length === 0 ? Math.min(a.at, ts) : ts;
      run = {
        id: ids.workflow(projectKey, `session:${sha(`${sessionId}@${a.at}#${mine.length}`).slice(0, 20)}`),
        projectKey,
        attributionAt: a.at,
        workflow: a.workflow,
        agentId: a.role ? ids.agent(a.role) : null,
        skill: a.skill,
        storyKey: null,
        startAt: Number.isFinite(start) ? start : ts,
        lastAt: ts,
        lastWasError: false,
        reportedStart: false,
        reportedStory: null,
        reportedEnd: false,
      };
      runs.push(run);
    }
    if (ts >= run.lastAt) run.lastWasError = kind === 'error';
    run.lastAt = Math.max(run.lastAt, ts);
    run.startAt = Math.min(run.startAt, ts);
    if (storyKey && !run.storyKey) run.storyKey = storyKey;
    return run.id;
  }

  /** Events for what changed since the last call: runs that started, learned their story, or have been idle long enough to have ended. */
  drain(now: number): ConnectorEvent[] {
    const out: ConnectorEvent[] = [];
    for (const runs of this.bySession.values()) {
      for (const r of runs) {
        const ended = now - r.lastAt > SESSION_IDLE_MS;
        const endStatus = r.lastWasError ? 'failed' : 'done';
        if (!r.reportedStart) {
          out.push(this.upsert(r, r.startAt, 'in_progress'));
          out.push(this.transition(r, r.startAt, { to: 'in_progress', transitionKey: `session-start:${r.id}`.slice(0, 128) }));
          r.reportedStart = true;
          r.reportedStory = r.storyKey;
        } else if (r.storyKey !== r.reportedStory) {
          out.push(this.upsert(r, r.lastAt, r.reportedEnd ? endStatus : 'in_progress'));
          r.reportedStory = r.storyKey;
        }
        if (ended && !r.reportedEnd) {
          out.push(
            this.transition(r, r.lastAt, {
              from: 'in_progress',
              to: endStatus,
              transitionKey: `session-end:${r.id}`.slice(0, 128),
              ...(r.lastWasError ? { reason: 'the session ended on API errors' } : {}),
            }),
          );
          r.reportedEnd = true;
        }
      }
    }
    return out;
  }

  private context(r: Run) {
    const projectId = ids.project(r.projectKey);
    const storyId = r.storyKey ? ids.story(r.projectKey, r.storyKey) : null;
    return { projectId, storyId };
  }

  private make(type: 'workflow.upserted' | 'workflow.transitioned', r: Run, at: number, payload: Record<string, unknown>): ConnectorEvent {
    const { projectId, storyId } = this.context(r);
    const occurredAt = iso(at);
    const context = { projectId, ...(storyId ? { storyId } : {}) };
    const id = `claude-run-${sha(JSON.stringify([type, r.id, occurredAt, payload, context])).slice(0, 40)}`;
    return { id, source: this.source, type, occurredAt, entity: { type: 'workflow', id: r.id }, ...context, payload };
  }

  private upsert(r: Run, at: number, status: 'in_progress' | 'done' | 'failed'): ConnectorEvent {
    const { projectId, storyId } = this.context(r);
    const name = `${r.workflow}${r.storyKey ? ` ${r.storyKey}` : ''}`.slice(0, 200);
    return this.make('workflow.upserted', r, at, { projectId, storyId, name, agentId: r.agentId, status, seenIn: 'claude_code' });
  }

  private transition(r: Run, at: number, t: { to: string; from?: string; transitionKey: string; reason?: string }): ConnectorEvent {
    return this.make('workflow.transitioned', r, at, { ...t, seenIn: 'claude_code' });
  }
}
