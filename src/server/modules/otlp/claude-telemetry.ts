import { createHash } from 'node:crypto';
import { classifyCommand, normaliseRole } from '../../importers/claude/commands.js';
import { attributeMap, type LogsRequest, type MetricsRequest } from './otlp-codec.js';

/**
 * Claude Code's OpenTelemetry export, as BMAD Ops events:
 * - log event `claude_code.api_request` → one `cost.recorded` (via `otlp_event`): model, `cost_usd`, token counts,
 *   `duration_ms`, `speed`, request id when sent, session, skill / agent;
 * - log event `claude_code.api_error` → counted (an error is no cost);
 * - metrics `claude_code.cost.usage` and `claude_code.token.usage` → one `cost.usage_reported` per data point (delta or
 *   cumulative; the cost read model turns a session's points into the part no request accounts for);
 * - anything else → ignored and counted.
 * Prompt text, tool parameters and e-mail addresses are never stored.
 */

export const OTLP_SOURCE = 'otlp';

type Attrs = Map<string, string | number | boolean>;

export interface ProjectRef {
  projectId: string | null;
  /** The BMAD project key (for story ids), when the project is a BMAD one. */
  projectKey: string | null;
}

export interface TelemetryContext {
  /** The project of a resource: the key's binding or `bmad.project`; a string is why its records are rejected. */
  project(resource: Attrs): Promise<ProjectRef | string>;
  /** The story id for a story key named by `bmad.story`, when that story exists in the project. */
  story(project: ProjectRef, storyKey: string): Promise<string | null>;
}

/** What one export request became. */
export interface Mapped {
  events: Record<string, unknown>[];
  /** Records (log records or data points) that could not be taken, by reason. */
  rejected: Map<string, number>;
  /** Records outside what BMAD Ops reads, by reason (counted, not an error). */
  ignored: Map<string, number>;
  apiErrors: number;
  /** The API errors of sessions in a known project, for their runs (a run whose last requests failed failed). */
  errors: { sessionId: string; projectId: string; skill: string | null; workflow: string | null; agentId: string | null; at: string }[];
}

const COST_METRIC = 'claude_code.cost.usage';
const TOKEN_METRIC = 'claude_code.token.usage';
const TOKEN_TYPES: Record<string, 'input' | 'output' | 'cacheRead' | 'cacheCreation'> = {
  input: 'input',
  output: 'output',
  cacheRead: 'cacheRead',
  cache_read: 'cacheRead',
  cacheCreation: 'cacheCreation',
  cache_creation: 'cacheCreation',
};
const TEMPORALITY: Record<number, 'delta' | 'cumulative'> = { 1: 'delta', 2: 'cumulative' };

const hash = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 40);
const bump = (m: Map<string, number>, reason: string, n = 1) => m.set(reason, (m.get(reason) ?? 0) + n);

function text(a: Attrs, ...keys: string[]): string | null {
  for (const k of keys) {
    const v = a.get(k);
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  }
  return null;
}

function num(a: Attrs, key: string): number | null {
  const v = a.get(key);
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : null;
}

function count(a: Attrs, key: string): number | null {
  const n = num(a, key);
  return n !== null && Number.isInteger(n) && n <= 1e12 ? n : null;
}

const clip = (s: string | null, max: number) => (s === null ? null : s.slice(0, max));

/** The BMAD workflow and agent a skill / agent name stands for (`bmad-dev-story`, `/bmad:bmm:workflows:dev-story`, `bmad-agent-dev`). */
export function bmadOf(skill: string | null, agentName: string | null): { workflow: string | null; agentId: string | null } {
  const fromSkill = skill ? classifyCommand(skill.replace(/^\//, '')) : null;
  const fromAgent = agentName
    ? (classifyCommand(agentName.replace(/^\//, '')) ?? (normaliseRole(agentName) ? { role: normaliseRole(agentName), workflow: null } : null))
    : null;
  const role = fromSkill?.role ?? fromAgent?.role ?? null;
  return { workflow: fromSkill?.workflow ?? fromAgent?.workflow ?? null, agentId: role ? `bmad-agent-${role}` : null };
}

function nanosToIso(ns: string | undefined): string | null {
  if (!ns || !/^\d{1,20}$/.test(ns) || /^0+$/.test(ns)) return null;
  const ms = Number(BigInt(ns) / 1_000_000n);
  return ms > 0 && ms < 8.64e15 ? new Date(ms).toISOString() : null;
}

function isoOf(v: string | null): string | null {
  if (!v) return null;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** The event name of a Claude Code log record: `event.name` (`api_request`), the record's event name, or its body. */
function eventNameOf(record: { eventName?: string; body?: { stringValue?: string } }, a: Attrs): string | null {
  const attr = text(a, 'event.name');
  if (attr) return attr.startsWith('claude_code.') ? attr : `claude_code.${attr}`;
  if (record.eventName) return record.eventName;
  return record.body?.stringValue?.startsWith('claude_code.') ? record.body.stringValue : null;
}

async function attribution(ctx: TelemetryContext, project: ProjectRef, a: Attrs) {
  const skill = clip(text(a, 'skill.name', 'slash_command', 'command.name'), 128);
  const agentName = clip(text(a, 'agent.name', 'agent_type', 'subagent_type'), 128);
  const { workflow, agentId } = bmadOf(skill, agentName);
  const storyKey = text(a, 'bmad.story');
  const storyId = storyKey && project.projectKey ? await ctx.story(project, storyKey.slice(0, 128)) : null;
  return { skill, workflow: clip(workflow, 64), agentId, storyId };
}

export async function mapLogs(req: LogsRequest, ctx: TelemetryContext, now: Date): Promise<Mapped> {
  const out: Mapped = { events: [], rejected: new Map(), ignored: new Map(), apiErrors: 0, errors: [] };
  for (const rl of req.resourceLogs ?? []) {
    const resource = attributeMap(rl.resource?.attributes);
    const records = (rl.scopeLogs ?? []).flatMap((s) => s.logRecords ?? []);
    if (records.length === 0) continue;
    const project = await ctx.project(resource);
    for (const record of records) {
      const a = attributeMap(rl.resource?.attributes, record.attributes);
      const name = eventNameOf(record, a);
      if (name === 'claude_code.api_error') {
        out.apiErrors++;
        const sessionId = clip(text(a, 'session.id'), 128);
        if (sessionId && typeof project !== 'string' && project.projectId) {
          const at = await attribution(ctx, project, a);
          const when = isoOf(text(a, 'event.timestamp')) ?? nanosToIso(record.timeUnixNano) ?? now.toISOString();
          out.errors.push({ sessionId, projectId: project.projectId, skill: at.skill, workflow: at.workflow, agentId: at.agentId, at: when });
        }
        continue;
      }
      if (name !== 'claude_code.api_request') {
        bump(out.ignored, name?.startsWith('claude_code.') ? 'claude_code_event_not_used' : 'not_a_claude_code_event');
        continue;
      }
      if (typeof project === 'string') {
        bump(out.rejected, project);
        continue;
      }
      const model = clip(text(a, 'model'), 128);
      const amount = num(a, 'cost_usd');
      const tokens = {
        input: count(a, 'input_tokens'),
        output: count(a, 'output_tokens'),
        cacheRead: count(a, 'cache_read_tokens'),
        cacheWrite: count(a, 'cache_creation_tokens'),
      };
      const hasTokens = Object.values(tokens).some((v) => v !== null);
      if (!model) {
        bump(out.rejected, 'api_request without a model attribute');
        continue;
      }
      if (amount === null && !hasTokens) {
        bump(out.rejected, 'api_request without cost_usd or token counts');
        continue;
      }
      const occurredAt = isoOf(text(a, 'event.timestamp')) ?? nanosToIso(record.timeUnixNano) ?? nanosToIso(record.observedTimeUnixNano) ?? now.toISOString();
      const sessionId = clip(text(a, 'session.id'), 128);
      const requestId = clip(text(a, 'request_id', 'request.id', 'requestId'), 128);
      const at = await attribution(ctx, project, a);
      // The same record sent again (a retried export) gets the same id: a duplicate, never a second cost.
      const id = `otlp-${hash([sessionId, text(a, 'prompt.id'), text(a, 'event.sequence'), occurredAt, model, amount, tokens, requestId])}`;
      out.events.push({
        id,
        source: OTLP_SOURCE,
        type: 'cost.recorded',
        occurredAt,
        entity: { type: 'cost', id: `otlp-cost-${id.slice(5)}` },
        ...(project.projectId ? { projectId: project.projectId } : {}),
        ...(at.storyId ? { storyId: at.storyId } : {}),
        payload: {
          ...(amount !== null ? { amount, currency: 'USD' } : {}),
          projectId: project.projectId,
          agentId: at.agentId,
          storyId: at.storyId,
          model,
          ...(hasTokens ? { tokens } : {}),
          requestId,
          sessionId,
          skill: at.skill,
          workflow: at.workflow,
          speed: clip(text(a, 'speed'), 32),
          durationMs: count(a, 'duration_ms') !== null && count(a, 'duration_ms')! <= 86_400_000 ? count(a, 'duration_ms') : null,
          via: 'otlp_event',
        },
      });
    }
  }
  return out;
}

export async function mapMetrics(req: MetricsRequest, ctx: TelemetryContext): Promise<Mapped> {
  const out: Mapped = { events: [], rejected: new Map(), ignored: new Map(), apiErrors: 0, errors: [] };
  for (const rm of req.resourceMetrics ?? []) {
    const resource = attributeMap(rm.resource?.attributes);
    const metrics = (rm.scopeMetrics ?? []).flatMap((s) => s.metrics ?? []);
    const ours = metrics.filter((m) => m.name === COST_METRIC || m.name === TOKEN_METRIC);
    for (const m of metrics) {
      if (m.name === COST_METRIC || m.name === TOKEN_METRIC) continue;
      bump(out.ignored, m.name?.startsWith('claude_code.') ? 'claude_code_metric_not_used' : 'unknown_metric', Math.max(1, m.sum?.dataPoints?.length ?? 1));
    }
    if (ours.length === 0) continue;
    const project = await ctx.project(resource);
    const resourceKey = [...resource.entries()].sort(([x], [y]) => (x < y ? -1 : 1));
    for (const m of ours) {
      const points = m.sum?.dataPoints ?? [];
      if (!m.sum) {
        bump(out.rejected, `${m.name} must be a sum (counter)`, 1);
        continue;
      }
      const temporality = TEMPORALITY[m.sum.aggregationTemporality ?? 0];
      for (const p of points) {
        if (typeof project === 'string') {
          bump(out.rejected, project);
          continue;
        }
        if (!temporality) {
          bump(out.rejected, `${m.name}: aggregation temporality must be delta or cumulative`);
          continue;
        }
        const a = attributeMap(rm.resource?.attributes, p.attributes);
        const sessionId = clip(text(a, 'session.id'), 128);
        const model = clip(text(a, 'model'), 128);
        const value = p.asDouble ?? (p.asInt !== undefined ? Number(p.asInt) : NaN);
        if (!sessionId) {
          // Without a session it cannot be told apart from the requests already itemized: counted, not guessed.
          bump(out.ignored, 'metric_point_without_session_id');
          continue;
        }
        if (!model) {
          bump(out.rejected, `${m.name} point without a model attribute`);
          continue;
        }
        if (!Number.isFinite(value) || value < 0 || value > 1e12) {
          bump(out.rejected, `${m.name} point value must be a non-negative number`);
          continue;
        }
        const metric = m.name === COST_METRIC ? 'cost' : TOKEN_TYPES[text(a, 'type') ?? ''];
        if (!metric) {
          bump(out.rejected, `${TOKEN_METRIC} point with an unknown type (input, output, cacheRead, cacheCreation)`);
          continue;
        }
        const time = p.timeUnixNano ?? '';
        const start = p.startTimeUnixNano && !/^0*$/.test(p.startTimeUnixNano) ? p.startTimeUnixNano : time;
        const occurredAt = nanosToIso(time);
        if (!occurredAt) {
          bump(out.rejected, `${m.name} point without a time`);
          continue;
        }
        const at = await attribution(ctx, project, a);
        out.events.push(
          usageEvent({
            name: m.name!,
            resourceKey,
            pointAttrs: attributeMap(p.attributes),
            project,
            at,
            sessionId,
            model,
            metric,
            temporality,
            start,
            time,
            value,
            occurredAt,
          }),
        );
      }
    }
  }
  return out;
}

type UsagePoint = {
  name: string;
  resourceKey: [string, unknown][];
  pointAttrs: Map<string, unknown>;
  project: Exclude<Awaited<ReturnType<TelemetryContext['project']>>, string>;
  at: Awaited<ReturnType<typeof attribution>>;
  sessionId: string;
  model: string;
  metric: string;
  temporality: string;
  start: string;
  time: string;
  value: number;
  occurredAt: string;
};

/** One cost or token metric point as a cost.usage_reported event; its id is stable across re-exports of the point. */
function usageEvent(u: UsagePoint): Mapped['events'][number] {
  const pointAttrs = [...u.pointAttrs.entries()].sort(([x], [y]) => (x < y ? -1 : 1));
  const series = hash([u.name, u.resourceKey, pointAttrs]);
  const { project, at, metric } = u;
  return {
    id: `otlp-m-${hash([series, u.start, u.time, u.value])}`,
    source: OTLP_SOURCE,
    type: 'cost.usage_reported',
    occurredAt: u.occurredAt,
    entity: { type: 'cost', id: `otlp-metric-${hash([u.sessionId, u.model])}` },
    ...(project.projectId ? { projectId: project.projectId } : {}),
    ...(at.storyId ? { storyId: at.storyId } : {}),
    payload: {
      projectId: project.projectId,
      agentId: at.agentId,
      storyId: at.storyId,
      sessionId: u.sessionId,
      model: u.model,
      skill: at.skill,
      workflow: at.workflow,
      metric,
      temporality: u.temporality,
      series,
      startTimeUnixNano: u.start,
      timeUnixNano: u.time,
      value: u.value,
      ...(metric === 'cost' ? { currency: 'USD' } : {}),
    },
  };
}
