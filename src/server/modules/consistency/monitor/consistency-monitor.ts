import { randomUUID } from 'node:crypto';
import type { ConsistencyRunView, MonitorFinding } from '../../../../contracts/index.js';
import type { Clock } from '../../../clock.js';
import type { DatabaseHandle } from '../../../db/handle.js';
import type { Logger } from '../../../observability/logger.js';
import type { Metrics } from '../../../observability/metrics.js';
import { withSpan } from '../../../observability/tracing.js';
import type { IngestionService } from '../../events/index.js';
import type { ProjectionEngine } from '../../events/index.js';
import { eventsRepository, retentionRepository } from '../../events/index.js';
import { consistencyRepository } from '../consistency.repository.js';
import { consistencyRunsRepository, type ConsistencyRun, type ConsistencyTrigger } from '../consistency-runs.repository.js';
import { crossViewFindings, type CrossViewServices } from './cross-view.js';
import { MONITOR_SOURCE } from './read-model-tables.js';
import { rebuildAndCompare, type RowFinding } from './rebuild.js';

export interface MonitorOptions {
  /** How often a pass runs by itself; 0 turns the schedule off (`bmad-ops verify` and the button still work). */
  intervalMs: number;
  /** The first scheduled pass, after start (so the status page has a result soon, not after a full interval). */
  firstRunDelayMs: number;
}

export interface MonitorDeps {
  db: DatabaseHandle;
  engine: ProjectionEngine;
  ingestion: IngestionService;
  views: CrossViewServices;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
}

const SAMPLE = 100;

/**
 * Up to SAMPLE findings, the first of every kind among them: cross-view findings come after the rebuild's, and a
 * hundred rows of one broken table must not hide that two views disagree.
 */
export function sampleOf<F extends { kind: string }>(findings: readonly F[]): F[] {
  const kept = new Set<F>();
  const kinds = new Set<string>();
  for (const f of findings) {
    if (kinds.has(f.kind)) continue;
    kinds.add(f.kind);
    kept.add(f);
  }
  for (const f of findings) {
    if (kept.size >= SAMPLE) break;
    kept.add(f);
  }
  return findings.filter((f) => kept.has(f));
}
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const keyOf = (f: RowFinding) => `${f.kind}\n${f.entity ?? ''}\n${f.field ?? ''}`;

export function toRunView(run: ConsistencyRun): ConsistencyRunView {
  const { details, ...rest } = run;
  const d = details as { eventsRead?: number; note?: string; sample?: MonitorFinding[] };
  return { ...rest, eventsRead: d.eventsRead ?? null, note: d.note ?? null, sample: d.sample ?? [] };
}

/**
 * Trust you can check: rebuilds every read model from `domain_events` in a scratch database and compares it with the
 * live one (same snapshot of the log, so ingestion carries on untouched), then checks that the views the UI shows
 * side by side agree. Findings are reported as `consistency.reported` events of the monitor's own source, per project,
 * so they appear where drift does; every pass is recorded for the status page.
 */
export class ConsistencyMonitor {
  private timer: NodeJS.Timeout | undefined;
  private first: NodeJS.Timeout | undefined;
  private running: Promise<ConsistencyRunView> | undefined;
  private previous = new Set<string>();

  constructor(
    private readonly d: MonitorDeps,
    private readonly opts: MonitorOptions,
  ) {}

  start(): void {
    if (this.opts.intervalMs <= 0) return;
    const tick = (trigger: ConsistencyTrigger) => void this.verify(trigger).catch((err: unknown) => this.d.logger.warn({ err }, 'consistency pass failed'));
    this.first = setTimeout(() => tick('start'), this.opts.firstRunDelayMs);
    this.first.unref();
    this.timer = setInterval(() => tick('schedule'), this.opts.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.first);
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  async recentRuns(limit: number): Promise<ConsistencyRunView[]> {
    return (await consistencyRunsRepository.recent(this.d.db.read, limit)).map(toRunView);
  }

  /** Runs a pass now, or joins the one under way. */
  verify(trigger: ConsistencyTrigger): Promise<ConsistencyRunView> {
    // A trace of its own, never part of the request that asked for it.
    this.running ??= withSpan('consistency.verify', { 'bmad.consistency.trigger': trigger }, () => this.pass(trigger), { root: true }).finally(
      () => (this.running = undefined),
    );
    return this.running;
  }

  private async pass(trigger: ConsistencyTrigger): Promise<ConsistencyRunView> {
    const { db, clock } = this.d;
    const started = performance.now();
    const snapshot = await db.snapshot();
    let runId = 0;
    try {
      const through = await eventsRepository.headEventId(snapshot.db);
      runId = await consistencyRunsRepository.start(db.write, { startedAt: clock.now().toISOString(), trigger, throughEventId: through });
      // Events retention deleted cannot be replayed: the rows built from them would all look wrong.
      const pruned = await retentionRepository.prunedThrough(snapshot.db);
      const rebuilt = pruned > 0 ? undefined : await rebuildAndCompare(snapshot.db, this.d.engine, through);
      await snapshot.close();
      const findings = [...(rebuilt?.findings ?? []), ...(await this.stableCrossView())];
      await this.report(findings);
      const result = findings.length === 0 ? 'ok' : 'mismatch';
      const details = {
        eventsRead: rebuilt?.eventsRead ?? null,
        ...(pruned > 0 ? { note: `rows not compared: retention pruned the log through event ${pruned}, so it cannot rebuild them` } : {}),
        sample: sampleOf(findings).map(({ file: _f, line: _l, ...f }) => ({
          ...f,
          storyId: f.storyId ?? null,
          entity: f.entity ?? null,
          field: f.field ?? null,
          actual: f.actual ?? null,
          expected: f.expected ?? null,
        })),
      };
      const durationMs = Math.round(performance.now() - started);
      await consistencyRunsRepository.finish(db.write, runId, {
        finishedAt: clock.now().toISOString(),
        durationMs,
        result,
        findings: findings.length,
        details,
      });
      this.d.logger[findings.length > 0 ? 'warn' : 'info']({ runId, trigger, findings: findings.length, durationMs, through }, 'consistency pass finished');
      return toRunView((await consistencyRunsRepository.recent(db.read, 1))[0]!);
    } catch (err) {
      await snapshot.close().catch(() => undefined);
      if (runId > 0) {
        const details = { note: `the pass failed: ${(err as Error).message}`.slice(0, 500) };
        await consistencyRunsRepository.finish(db.write, runId, {
          finishedAt: clock.now().toISOString(),
          durationMs: Math.round(performance.now() - started),
          result: 'error',
          findings: 0,
          details,
        });
      }
      throw err;
    }
  }

  /** Views read at slightly different moments can disagree while events land: a difference counts if it persists. */
  private async stableCrossView(): Promise<RowFinding[]> {
    const first = await crossViewFindings(this.d.views, this.d.clock.now());
    if (first.length === 0) return first;
    await sleep(1000);
    const again = new Map((await crossViewFindings(this.d.views, this.d.clock.now())).map((f) => [keyOf(f), f]));
    return first.filter((f) => again.has(keyOf(f))).map((f) => again.get(keyOf(f))!);
  }

  /** One report per project with findings now or at the last pass (an empty report clears what was fixed). */
  private async report(findings: readonly RowFinding[]): Promise<void> {
    const byProject = new Map<string, RowFinding[]>();
    for (const f of findings) if (f.projectId) byProject.set(f.projectId, [...(byProject.get(f.projectId) ?? []), f]);
    for (const id of await consistencyRepository.projectsReportedBy(this.d.db.read, MONITOR_SOURCE)) if (!byProject.has(id)) byProject.set(id, []);
    const now = this.d.clock.now().toISOString();
    const events = [...byProject].map(([projectId, list]) => ({
      id: randomUUID(),
      source: MONITOR_SOURCE,
      type: 'consistency.reported',
      occurredAt: now,
      entity: { type: 'project', id: projectId },
      payload: { findings: list.slice(0, 5000).map(({ projectId: _p, ...f }) => f) },
    }));
    if (events.length > 0) await this.d.ingestion.ingest(events);
    const current = new Set(findings.map(keyOf));
    for (const f of findings) if (!this.previous.has(keyOf(f))) this.d.metrics.consistencyFailures.inc({ kind: f.kind });
    this.previous = current;
  }
}
