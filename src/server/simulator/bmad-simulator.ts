import { isTransitionAllowed, type Status, type StatusEntity } from '../../contracts/index.js';
import type { Clock } from '../clock.js';
import type { SeededRandom } from './random.js';
import { SimulatedEventLog } from './sim-events.js';
import {
  AGENTS,
  BLOCK_REASONS,
  CANCEL_REASONS,
  COLUMN_STATUS,
  COLUMN_WORKFLOW,
  EPIC_THEMES,
  FAIL_REASONS,
  PROJECT_NAMES,
  SIMULATED_MODULES,
  STORY_TITLES,
  WORKFLOW_AGENT,
  agentId,
  type BmadColumn,
  type Project,
  type SimulatedEvent,
  type Run,
  type Story,
  type WorkflowName,
} from './sim-model.js';

// The simulator's vocabulary lives in sim-model.ts and its event shapes in sim-events.ts; re-exported for callers.
export { BMAD_COLUMNS, type BmadColumn, type SimulatedEvent } from './sim-model.js';

export interface SimulatorOptions {
  /** Makes every id of this run unique: lowercase letters and digits. */
  runId: string;
  random: SeededRandom;
  clock: Clock;
  source?: string;
  /** Projects in flight at once. */
  projects?: number;
  /** Workflow runs in flight at once, across projects. */
  maxActiveRuns?: number;
  /** How often (simulated clock) sync.reported goes out per module. */
  syncIntervalMs?: number;
}

const RUN_ID = /^[a-z0-9]{1,32}$/;

/**
 * Produces a realistic, valid stream of BMAD-like events: projects planned by the PM and architect, epics broken into
 * stories, each story walked across the sprint board by create-story (SM), dev-story (dev) and code-review (QA)
 * workflows that occasionally block, fail, get retried or send a story back, with LLM cost per workflow and periodic
 * sync health reports. Deterministic for a given seed and clock, and free of I/O so it can be tested directly.
 */
export class BmadSimulator {
  readonly source: string;
  private readonly runId: string;
  private readonly rng: SeededRandom;
  private readonly clock: Clock;
  private readonly targetProjects: number;
  private readonly maxActiveRuns: number;
  private readonly syncIntervalMs: number;
  private readonly events: SimulatedEventLog;
  private readonly projects: Project[] = [];
  private readonly runs: Run[] = [];
  private projectCounter = 0;
  private runCounter = 0;
  private lastMs = 0;
  private lastSyncMs: number | undefined;
  private started = false;

  constructor(opts: SimulatorOptions) {
    if (!RUN_ID.test(opts.runId)) throw new Error(`runId must be 1-32 lowercase letters or digits (got ${JSON.stringify(opts.runId)})`);
    this.runId = opts.runId;
    this.rng = opts.random;
    this.clock = opts.clock;
    this.source = opts.source ?? 'simulator';
    this.targetProjects = opts.projects ?? 3;
    this.maxActiveRuns = opts.maxActiveRuns ?? 2 * this.targetProjects;
    this.syncIntervalMs = opts.syncIntervalMs ?? 30_000;
    this.events = new SimulatedEventLog(this.runId, this.source, this.rng, () => this.lastMs);
  }

  /** The next `count` events of the stream, in id order. */
  next(count: number): SimulatedEvent[] {
    let idleSteps = 0;
    while (this.events.pending.length < count) {
      const before = this.events.pending.length;
      this.step();
      // Every step emits by construction; this guard turns a future logic slip into an error instead of a hang.
      if (this.events.pending.length === before && ++idleSteps > 1000) throw new Error('the simulator stopped producing events');
    }
    return this.events.pending.splice(0, count);
  }

  /** How many events have been produced so far (handed out or pending). */
  get produced(): number {
    return this.events.produced;
  }

  // ---------- scheduling ----------

  private step(): void {
    const now = this.tick();
    if (!this.started) {
      this.started = true;
      for (const a of AGENTS) {
        this.events.emit('agent.upserted', { type: 'agent', id: agentId(a) }, { name: a.name, type: a.role, ownerTeam: 'bmad-core' });
      }
    }
    if (this.lastSyncMs === undefined || now - this.lastSyncMs >= this.syncIntervalMs) {
      this.lastSyncMs = now;
      for (const module of SIMULATED_MODULES) {
        this.events.emit('sync.reported', { type: 'sync', id: `${this.source}/${module}` }, { module, status: 'ok', expectedIntervalMs: this.syncIntervalMs });
      }
    }
    if (this.projects.length < this.targetProjects) return this.startProject();
    // Starting work is less likely than advancing it, so runs live for several steps as real workflows do.
    if (this.runs.length < this.maxActiveRuns && (this.runs.length === 0 || this.rng.chance(0.3)) && this.startRun()) return;
    if (this.runs.length > 0) return this.advance(this.rng.pick(this.runs));
    // Nothing startable and nothing running: every project is waiting on a finished epic, so plan more work.
    this.startProject();
  }

  private startProject(): void {
    const n = ++this.projectCounter;
    const project: Project = {
      id: `sim-${this.runId}-p${n}`,
      name: PROJECT_NAMES[(n - 1) % PROJECT_NAMES.length]! + (n > PROJECT_NAMES.length ? ` ${Math.ceil(n / PROJECT_NAMES.length)}` : ''),
      status: 'queued',
      dueAt: new Date(this.lastMs + this.rng.int(14, 90) * 86_400_000).toISOString(),
      planning: ['create-prd', 'create-architecture'],
      epicsPlanned: this.rng.int(3, 6),
      epicsCreated: 0,
      storiesCreated: 0,
      storiesDone: 0,
      stories: new Map(),
      projectRunActive: false,
    };
    this.projects.push(project);
    this.emitProject(project);
  }

  /** Starts one workflow run on some startable piece of work; false when there is none. */
  private startRun(): boolean {
    const candidates: { project: Project; name: WorkflowName; story?: Story }[] = [];
    for (const project of this.projects) {
      if (!project.projectRunActive) {
        const planningNext = project.planning[0];
        if (planningNext) candidates.push({ project, name: planningNext });
        else if (project.epicsCreated < project.epicsPlanned && this.unstarted(project) < 2) candidates.push({ project, name: 'create-epics-and-stories' });
      }
      for (const story of project.stories.values()) {
        const name = COLUMN_WORKFLOW[story.column];
        if (!story.busy && name) candidates.push({ project, name, story });
      }
    }
    if (candidates.length === 0) return false;
    const c = this.rng.pick(candidates);
    const agent = AGENTS.find((a) => a.role === WORKFLOW_AGENT[c.name])!;
    const run: Run = {
      id: `sim-${this.runId}-wf${++this.runCounter}`,
      name: c.name,
      agent,
      project: c.project,
      story: c.story,
      status: 'queued',
      attempts: 1,
      workSteps: 0,
    };
    if (c.story) c.story.busy = true;
    else c.project.projectRunActive = true;
    this.runs.push(run);
    this.events.emit(
      'workflow.upserted',
      { type: 'workflow', id: run.id },
      {
        name: c.story ? `${c.name} ${c.story.key}` : c.name === 'create-epics-and-stories' ? `${c.name} epic ${c.project.epicsCreated + 1}` : c.name,
        status: 'queued',
        projectId: c.project.id,
        ...(c.story ? { storyId: c.story.id } : {}),
        agentId: agentId(agent),
      },
      { correlationId: run.id },
    );
    return true;
  }

  private unstarted(project: Project): number {
    let n = 0;
    for (const s of project.stories.values()) if (s.column === 'backlog' || s.column === 'ready-for-dev') n++;
    return n;
  }

  // ---------- workflow runs ----------

  private advance(run: Run): void {
    const failProne = run.name === 'dev-story' || run.name === 'code-review';
    switch (run.status) {
      case 'queued':
        return this.transition(run, this.rng.chance(0.04) ? 'blocked' : 'in_progress');
      case 'in_progress': {
        // At least one unit of work (an LLM call with its cost) before the run can end.
        if (run.workSteps === 0) return this.work(run);
        const next = this.rng.weighted({ work: 0.3, done: 0.55, blocked: 0.06, failed: failProne ? 0.08 : 0.03 });
        return next === 'work' ? this.work(run) : this.transition(run, next);
      }
      case 'blocked':
        return this.transition(run, this.rng.weighted<Status>({ in_progress: 0.8, failed: 0.1, canceled: 0.1 }));
      case 'failed':
        return this.transition(run, run.attempts >= 3 || this.rng.chance(0.1) ? 'canceled' : 'queued');
      default:
        throw new Error(`run ${run.id} is ${run.status} but still active`);
    }
  }

  private work(run: Run): void {
    run.workSteps++;
    this.events.cost(run);
  }

  private transition(run: Run, to: Status): void {
    const from = run.status;
    this.assertTransition('workflow', from, to);
    const reason =
      to === 'blocked'
        ? this.rng.pick(BLOCK_REASONS)
        : to === 'failed'
          ? this.rng.pick(FAIL_REASONS)
          : to === 'canceled'
            ? this.rng.pick(CANCEL_REASONS)
            : from === 'failed' && to === 'queued'
              ? `retry ${run.attempts + 1}`
              : null;
    if (from === 'failed' && to === 'queued') run.attempts++;
    if (from === 'in_progress' && (to === 'done' || to === 'failed')) this.events.cost(run);
    run.status = to;
    this.events.emit(
      'workflow.transitioned',
      { type: 'workflow', id: run.id },
      { from, to, actorId: agentId(run.agent), ...(reason ? { reason } : {}) },
      { projectId: run.project.id, ...(run.story ? { storyId: run.story.id } : {}), correlationId: run.id },
    );
    if (to === 'in_progress') this.onStarted(run);
    if (to === 'done') this.onDone(run);
    if (to === 'done' || to === 'canceled') this.finish(run);
  }

  private onStarted(run: Run): void {
    if (run.project.status === 'queued') {
      this.setProjectStatus(run.project, 'in_progress');
      this.emitProject(run.project);
    }
    if (run.name === 'dev-story' && run.story && run.story.column === 'ready-for-dev') this.moveStory(run.story, 'in-progress', run);
  }

  private onDone(run: Run): void {
    const project = run.project;
    const story = run.story;
    switch (run.name) {
      case 'create-prd':
      case 'create-architecture':
        project.planning.shift();
        return;
      case 'create-epics-and-stories':
        return this.createEpic(project, run);
      case 'create-story':
        return this.moveStory(story!, 'ready-for-dev', run);
      case 'dev-story':
        return this.moveStory(story!, 'review', run);
      case 'code-review':
        // Reviews send some stories back to development, as BMAD's code-review does; never more than twice.
        if (story!.reviewRounds < 2 && this.rng.chance(0.25)) {
          story!.reviewRounds++;
          return this.moveStory(story!, 'in-progress', run);
        }
        this.moveStory(story!, 'done', run);
        project.stories.delete(story!.id);
        project.storiesDone++;
        if (project.epicsCreated === project.epicsPlanned && project.stories.size === 0) {
          this.setProjectStatus(project, 'done');
          this.projects.splice(this.projects.indexOf(project), 1);
        }
        this.emitProject(project);
        return;
    }
  }

  private finish(run: Run): void {
    this.runs.splice(this.runs.indexOf(run), 1);
    if (run.story) run.story.busy = false;
    else run.project.projectRunActive = false;
  }

  private createEpic(project: Project, run: Run): void {
    const epic = ++project.epicsCreated;
    const label = `Epic ${epic}: ${EPIC_THEMES[(epic - 1) % EPIC_THEMES.length]!}`;
    const count = this.rng.int(3, 6);
    for (let i = 1; i <= count; i++) {
      const key = `${epic}.${i}`;
      const story: Story = {
        id: `${project.id}-s${key}`,
        projectId: project.id,
        key,
        title: `${key} ${this.rng.pick(STORY_TITLES)}`,
        epic: label,
        column: 'backlog',
        busy: false,
        reviewRounds: 0,
      };
      project.stories.set(story.id, story);
      project.storiesCreated++;
      this.events.story(story, run);
    }
  }

  private moveStory(story: Story, column: BmadColumn, run: Run): void {
    const from = COLUMN_STATUS[story.column];
    const to = COLUMN_STATUS[column];
    story.column = column;
    // A status change is its own event (it keeps the story's history); the upsert after it restores the BMAD column,
    // which a bare status change would reset to the status's own column.
    if (from !== to) {
      this.assertTransition('story', from, to);
      this.events.emit(
        'story.status_changed',
        { type: 'story', id: story.id },
        { from, to, actorId: agentId(run.agent), reason: `${run.name}: moved to ${column}` },
        { projectId: story.projectId, correlationId: run.id },
      );
    }
    this.events.story(story, run);
  }

  private setProjectStatus(project: Project, to: Status): void {
    this.assertTransition('project', project.status, to);
    project.status = to;
  }

  private assertTransition(entity: StatusEntity, from: Status, to: Status): void {
    if (!isTransitionAllowed(entity, from, to)) throw new Error(`simulator bug: ${entity} ${from} -> ${to} is not an allowed transition`);
  }

  // ---------- events ----------

  private emitProject(project: Project): void {
    const atRisk = this.runs.some((r) => r.project === project && (r.status === 'blocked' || r.status === 'failed'));
    this.events.project(project, atRisk);
  }

  /** The injected clock, held non-decreasing so the id order and the occurredAt order never disagree. */
  private tick(): number {
    this.lastMs = Math.max(this.lastMs, this.clock.now().getTime());
    return this.lastMs;
  }
}
