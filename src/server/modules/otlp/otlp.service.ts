import type { DatabaseHandle } from '../../db/handle.js';
import type { Clock } from '../../clock.js';
import { ids } from '../../connector/bmad/to-events.js';
import type { Metrics } from '../../observability/metrics.js';
import { sentByOf, type Principal } from '../auth/index.js';
import type { IngestionService } from '../events/index.js';
import { SessionRuns } from '../../importers/claude/session-runs.js';
import type { Logger } from '../../observability/logger.js';
import { costsRepository } from '../costs/index.js';
import { projectsRepository } from '../projects/index.js';
import { storiesRepository } from '../stories/index.js';
import { mapLogs, mapMetrics, OTLP_SOURCE, type Mapped, type ProjectRef, type TelemetryContext } from './claude-telemetry.js';
import { decodeRequest, type OtlpEncoding, type OtlpSignal } from './otlp-codec.js';

/** What the export response says: nothing when all was taken, else how many records were rejected and why. */
export interface ExportOutcome {
  rejected: number;
  message: string;
}

const UNATTRIBUTED: ProjectRef = { projectId: null, projectKey: null };
const keyOf = (projectId: string) => (projectId.startsWith('bmad:') ? projectId.slice('bmad:'.length) : null);

/**
 * Decodes an OTLP export, maps Claude Code's telemetry to events and appends them through the ingestion service (so
 * they are validated, deduplicated and projected like any other event). The project comes from the key's binding or
 * the resource attribute `bmad.project`; a key bound to one project cannot send for another.
 */
export class OtlpService {
  /** The workflow runs the sessions reporting here made (as the transcript importer makes them from transcripts). */
  private readonly runs = new SessionRuns(OTLP_SOURCE);
  /** When each session first ran each skill (ms): the run's identity, so a restart of this server finds the same run. */
  private readonly skillStart = new Map<string, number>();
  private readonly transcriptSessions = new Map<string, boolean>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: DatabaseHandle,
    private readonly ingestion: IngestionService,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
    private readonly logger?: Logger,
  ) {}

  /** Reports runs that ended (idle for 30 minutes) once a minute. */
  start(): void {
    this.timer = setInterval(() => {
      this.reportRuns().catch((err: unknown) => this.logger?.error({ err }, 'OTLP session runs could not be reported'));
    }, 60_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async reportRuns(): Promise<void> {
    const events = this.runs.drain(this.clock.now().getTime());
    if (events.length > 0) await this.ingestion.ingest(events);
  }

  /**
   * Puts each request (and API error) of a BMAD workflow into its session's run and names the run on its cost. A
   * session whose transcript this server already reads is left to the transcript importer: one session, one run.
   */
  private async linkRuns(mapped: Mapped): Promise<void> {
    const touches: {
      sessionId: string;
      projectId: string;
      skill: string;
      workflow: string;
      agentId: string | null;
      storyId: string | null;
      at: number;
      kind: 'request' | 'error';
      event?: Record<string, unknown>;
    }[] = [];
    for (const e of mapped.events) {
      const p = e.payload as {
        sessionId?: string | null;
        projectId?: string | null;
        skill?: string | null;
        workflow?: string | null;
        agentId?: string | null;
        storyId?: string | null;
      };
      if (e.type !== 'cost.recorded' || !p.sessionId || !p.projectId || !p.skill || !p.workflow) continue;
      touches.push({
        sessionId: p.sessionId,
        projectId: p.projectId,
        skill: p.skill,
        workflow: p.workflow,
        agentId: p.agentId ?? null,
        storyId: p.storyId ?? null,
        at: Date.parse(String(e.occurredAt)),
        kind: 'request',
        event: e,
      });
    }
    for (const x of mapped.errors)
      if (x.skill && x.workflow)
        touches.push({
          sessionId: x.sessionId,
          projectId: x.projectId,
          skill: x.skill,
          workflow: x.workflow,
          agentId: x.agentId,
          storyId: null,
          at: Date.parse(x.at),
          kind: 'error',
        });
    for (const t of touches) {
      const projectKey = keyOf(t.projectId);
      if (!projectKey) continue;
      if (!this.transcriptSessions.has(t.sessionId))
        this.transcriptSessions.set(t.sessionId, await costsRepository.sessionSeenVia(this.db.read, t.sessionId, 'transcript'));
      if (this.transcriptSessions.get(t.sessionId)) continue;
      const k = `${t.sessionId}\n${t.skill}`;
      if (!this.skillStart.has(k)) {
        const first = await costsRepository.firstRequestAt(this.db.read, t.sessionId, t.skill);
        this.skillStart.set(
          k,
          Math.min(first ? Date.parse(first) : Infinity, ...touches.filter((o) => o.sessionId === t.sessionId && o.skill === t.skill).map((o) => o.at)),
        );
      }
      const role = t.agentId?.startsWith('bmad-agent-') ? t.agentId.slice('bmad-agent-'.length) : null;
      const storyKey = t.storyId?.startsWith(`bmad:${projectKey}:story:`) ? t.storyId.slice(`bmad:${projectKey}:story:`.length) : null;
      const runId = this.runs.touch(
        t.sessionId,
        projectKey,
        { at: this.skillStart.get(k)!, workflow: t.workflow, role, skill: t.skill },
        t.at,
        t.kind,
        storyKey,
      );
      if (runId && t.event) {
        t.event.workflowId = runId;
        (t.event.payload as Record<string, unknown>).workflowId = runId;
      }
    }
  }

  private context(principal: Principal, warnings: Set<string>): TelemetryContext {
    const bound = principal.kind === 'key' ? principal.projectId : null;
    const known = new Map<string, string | null>();
    const now = this.clock.now().toISOString();
    const exists = async (id: string) => {
      if (!known.has(id)) known.set(id, (await projectsRepository.findById(this.db.read, id, now)) ? id : null);
      return known.get(id) ?? null;
    };
    return {
      project: async (resource) => {
        const v = resource.get('bmad.project');
        const named = typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, 128) : null;
        if (bound) {
          if (named && named !== bound && `bmad:${named}` !== bound)
            return `this key sends for project ${bound} only; bmad.project "${named}" is another project`;
          return { projectId: bound, projectKey: keyOf(bound) };
        }
        if (!named) return UNATTRIBUTED;
        const id = (await exists(named)) ?? (named.includes(':') ? null : await exists(`bmad:${named}`));
        if (!id) {
          warnings.add(`bmad.project "${named}" is no project here: its cost is kept unattributed`);
          return UNATTRIBUTED;
        }
        return { projectId: id, projectKey: keyOf(id) };
      },
      story: async (project, storyKey) => {
        if (!project.projectKey) return null;
        const id = ids.story(project.projectKey, storyKey);
        if (await storiesRepository.findById(this.db.read, id)) return id;
        warnings.add(`bmad.story "${storyKey}" is no story of ${project.projectId}: its cost is kept without a story`);
        return null;
      },
    };
  }

  async export(signal: OtlpSignal, encoding: OtlpEncoding, body: Buffer, principal: Principal): Promise<ExportOutcome | null> {
    const warnings = new Set<string>();
    const ctx = this.context(principal, warnings);
    const mapped: Mapped =
      signal === 'logs'
        ? await mapLogs(decodeRequest('logs', encoding, body), ctx, this.clock.now())
        : await mapMetrics(decodeRequest('metrics', encoding, body), ctx);
    if (signal === 'logs') {
      await this.linkRuns(mapped);
      await this.reportRuns();
    }
    const result =
      mapped.events.length > 0
        ? await this.ingestion.ingest(mapped.events, {
            policy: { onlyProject: principal.kind === 'key' ? principal.projectId : null },
            sentBy: sentByOf(principal),
          })
        : null;
    const rejected = new Map(mapped.rejected);
    for (const r of result?.results ?? []) {
      if (r.status !== 'rejected') continue;
      const why = r.errors?.[0] ? `${r.errors[0].path}: ${r.errors[0].message}` : (r.code ?? 'rejected');
      rejected.set(why, (rejected.get(why) ?? 0) + 1);
    }
    const count = (outcome: string, n: number) => n > 0 && this.metrics.otlpRecords.inc({ signal, outcome }, n);
    const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    count('accepted', result?.accepted ?? 0);
    count('duplicate', result?.duplicates ?? 0);
    count('rejected', sum(rejected));
    count('ignored', sum(mapped.ignored));
    count('api_error', mapped.apiErrors);
    const rejectedCount = sum(rejected);
    if (rejectedCount === 0 && warnings.size === 0) return null;
    const reasons = [...rejected.entries()].sort((a, b) => b[1] - a[1]).map(([why, n]) => `${n} × ${why}`);
    return { rejected: rejectedCount, message: [...reasons, ...warnings].slice(0, 10).join('; ').slice(0, 2000) };
  }
}
