import { isTransitionAllowed, type EventType, type Module, type Status, type StatusEntity } from '../../contracts/index.js';
import type { Clock } from '../clock.js';
import type { SeededRandom } from './random.js';

/** An event exactly as a connector posts it to POST /api/v1/events. */
export interface SimulatedEvent {
  id: string;
  source: string;
  type: EventType;
  occurredAt: string;
  entity: { type: string; id: string };
  projectId?: string;
  storyId?: string;
  correlationId?: string;
  payload: Record<string, unknown>;
}

/** BMAD's sprint-status columns, in board order, and the canonical status each one maps to. */
export const BMAD_COLUMNS = ['backlog', 'ready-for-dev', 'in-progress', 'review', 'done'] as const;
export type BmadColumn = (typeof BMAD_COLUMNS)[number];
export const COLUMN_STATUS: Readonly<Record<BmadColumn, Status>> = {
  backlog: 'queued',
  'ready-for-dev': 'queued',
  'in-progress': 'in_progress',
  review: 'in_progress',
  done: 'done',
};

export type AgentRole = 'sm' | 'dev' | 'qa' | 'pm' | 'architect';
interface AgentSpec {
  role: AgentRole;
  name: string;
  model: string;
}
// BMAD's persona names, so a dashboard fed by the simulator looks like one fed by a real project.
const AGENTS: readonly AgentSpec[] = [
  { role: 'sm', name: 'Bob (Scrum Master)', model: 'claude-haiku-4-5' },
  { role: 'dev', name: 'Amelia (Developer)', model: 'claude-sonnet-4-5' },
  { role: 'qa', name: 'Quinn (QA)', model: 'claude-sonnet-4-5' },
  { role: 'pm', name: 'John (Product Manager)', model: 'claude-opus-4-1' },
  { role: 'architect', name: 'Winston (Architect)', model: 'claude-opus-4-1' },
];

/** USD per million tokens. Approximate list prices: only the order of magnitude matters for a dashboard. */
const PRICES: Readonly<Record<string, { input: number; output: number }>> = {
  'claude-haiku-4-5': { input: 1, output: 5 },
  'claude-sonnet-4-5': { input: 3, output: 15 },
  'claude-opus-4-1': { input: 15, output: 75 },
};

export type WorkflowName = 'create-prd' | 'create-architecture' | 'create-epics-and-stories' | 'create-story' | 'dev-story' | 'code-review';
const WORKFLOW_AGENT: Readonly<Record<WorkflowName, AgentRole>> = {
  'create-prd': 'pm',
  'create-architecture': 'architect',
  'create-epics-and-stories': 'pm',
  'create-story': 'sm',
  'dev-story': 'dev',
  'code-review': 'qa',
};
/** Which workflow moves a story out of its column. */
const COLUMN_WORKFLOW: Readonly<Partial<Record<BmadColumn, WorkflowName>>> = {
  backlog: 'create-story',
  'ready-for-dev': 'dev-story',
  'in-progress': 'dev-story',
  review: 'code-review',
};

/** The modules whose data the simulator feeds, and therefore reports sync health for. */
export const SIMULATED_MODULES: readonly Module[] = ['project', 'story', 'workflow', 'agent', 'cost'];

const PROJECT_NAMES = ['Checkout Revamp', 'Mobile Onboarding', 'Billing Service', 'Search Relevance', 'Partner API', 'Admin Console', 'Data Export', 'Notifications Hub'];
const EPIC_THEMES = ['Foundations', 'User Accounts', 'Payments', 'Reporting', 'Integrations', 'Performance', 'Accessibility', 'Observability'];
const STORY_TITLES = [
  'Sign-up with email verification',
  'Password reset flow',
  'Persist cart across sessions',
  'Rate-limit public endpoints',
  'CSV export of invoices',
  'Audit log for admin actions',
  'Retry failed webhooks',
  'Dark mode for the dashboard',
  'Paginate the orders list',
  'Localise currency formatting',
  'Health check endpoint',
  'Feature flag for new checkout',
];
const BLOCK_REASONS = ['waiting for a product decision', 'test environment unavailable', 'depends on an unmerged story', 'acceptance criteria unclear'];
const FAIL_REASONS = ['tests failed', 'context window exceeded', 'merge conflict', 'lint errors'];
const CANCEL_REASONS = ['superseded by a re-plan', 'deprioritised in sprint planning'];

interface Project {
  id: string;
  name: string;
  status: Status;
  dueAt: string;
  /** Planning workflows still to run before stories exist. */
  planning: WorkflowName[];
  epicsPlanned: number;
  epicsCreated: number;
  storiesCreated: number;
  storiesDone: number;
  /** Stories not done yet; done ones are dropped so a long run keeps bounded state. */
  stories: Map<string, Story>;
  projectRunActive: boolean;
}

interface Story {
  id: string;
  projectId: string;
  key: string;
  title: string;
  epic: string;
  column: BmadColumn;
  busy: boolean;
  reviewRounds: number;
}

interface Run {
  id: string;
  name: WorkflowName;
  agent: AgentSpec;
  project: Project;
  story: Story | undefined;
  status: Status;
  attempts: number;
  workSteps: number;
}

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
  private readonly pending: SimulatedEvent[] = [];
  private readonly projects: Project[] = [];
  private readonly runs: Run[] = [];
  private eventCounter = 0;
  private projectCounter = 0;
  private runCounter = 0;
  private costCounter = 0;
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
  }

  /** The next `count` events of the stream, in id order. */
  next(count: number): SimulatedEvent[] {
    let idleSteps = 0;
    while (this.pending.length < count) {
      const before = this.pending.length;
      this.step();
      // Every step emits by construction; this guard turns a future logic slip into an error instead of a hang.
      if (this.pending.length === before && ++idleSteps > 1000) throw new Error('the simulator stopped producing events');
    }
    return this.pending.splice(0, count);
  }

  /** How many events have been produced so far (handed out or pending). */
  get produced(): number {
    return this.eventCounter;
  }

  // ---------- scheduling ----------

  private step(): void {
    const now = this.tick();
    if (!this.started) {
      this.started = true;
      for (const a of AGENTS) {
        this.emit('agent.upserted', { type: 'agent', id: this.agentId(a) }, { name: a.name, type: a.role, ownerTeam: 'bmad-core' });
      }
    }
    if (this.lastSyncMs === undefined || now - this.lastSyncMs >= this.syncIntervalMs) {
      this.lastSyncMs = now;
      for (const module of SIMULATED_MODULES) {
        this.emit('sync.reported', { type: 'sync', id: `${this.source}/${module}` }, { module, status: 'ok', expectedIntervalMs: this.syncIntervalMs });
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
    const run: Run = { id: `sim-${this.runId}-wf${++this.runCounter}`, name: c.name, agent, project: c.project, story: c.story, status: 'queued', attempts: 1, workSteps: 0 };
    if (c.story) c.story.busy = true;
    else c.project.projectRunActive = true;
    this.runs.push(run);
    this.emit(
      'workflow.upserted',
      { type: 'workflow', id: run.id },
      {
        name: c.story ? `${c.name} ${c.story.key}` : c.name === 'create-epics-and-stories' ? `${c.name} epic ${c.project.epicsCreated + 1}` : c.name,
        status: 'queued',
        projectId: c.project.id,
        ...(c.story ? { storyId: c.story.id } : {}),
        agentId: this.agentId(agent),
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
    this.emitCost(run);
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
    if (from === 'in_progress' && (to === 'done' || to === 'failed')) this.emitCost(run);
    run.status = to;
    this.emit(
      'workflow.transitioned',
      { type: 'workflow', id: run.id },
      { from, to, actorId: this.agentId(run.agent), ...(reason ? { reason } : {}) },
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
      this.emitStory(story, run);
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
      this.emit('story.status_changed', { type: 'story', id: story.id }, { from, to, actorId: this.agentId(run.agent), reason: `${run.name}: moved to ${column}` }, { projectId: story.projectId, correlationId: run.id });
    }
    this.emitStory(story, run);
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
    const total = Math.max(project.storiesCreated, project.epicsPlanned * 4);
    const atRisk = this.runs.some((r) => r.project === project && (r.status === 'blocked' || r.status === 'failed'));
    this.emit(
      'project.upserted',
      { type: 'project', id: project.id },
      {
        name: project.name,
        status: project.status,
        progressPct: project.status === 'done' ? 100 : Math.round((project.storiesDone / total) * 1000) / 10,
        dueAt: project.dueAt,
        riskFlag: atRisk,
      },
    );
  }

  private emitStory(story: Story, run: Run): void {
    this.emit(
      'story.upserted',
      { type: 'story', id: story.id },
      { projectId: story.projectId, title: story.title, status: COLUMN_STATUS[story.column], kanbanColumn: story.column, epic: story.epic },
      { correlationId: run.id },
    );
  }

  private emitCost(run: Run): void {
    const input = this.rng.int(2_000, run.name === 'dev-story' ? 60_000 : 20_000);
    const output = this.rng.int(300, run.name === 'dev-story' ? 8_000 : 3_000);
    const cacheRead = this.rng.chance(0.7) ? this.rng.int(5_000, 80_000) : 0;
    const cacheWrite = this.rng.chance(0.3) ? this.rng.int(1_000, 20_000) : 0;
    const price = PRICES[run.agent.model]!;
    // Anthropic-style cache pricing: writes at 1.25x and reads at 0.1x the input price.
    const usd = (input * price.input + output * price.output + cacheWrite * price.input * 1.25 + cacheRead * price.input * 0.1) / 1e6;
    this.emit(
      'cost.recorded',
      { type: 'cost', id: `sim-${this.runId}-c${++this.costCounter}` },
      {
        amount: Math.round(usd * 1e6) / 1e6,
        currency: 'USD',
        model: run.agent.model,
        tokens: { input, output, cacheWrite, cacheRead },
        projectId: run.project.id,
        workflowId: run.id,
        agentId: this.agentId(run.agent),
        ...(run.story ? { storyId: run.story.id } : {}),
      },
      { correlationId: run.id },
    );
  }

  private emit(type: EventType, entity: { type: string; id: string }, payload: Record<string, unknown>, context: Partial<Pick<SimulatedEvent, 'projectId' | 'storyId' | 'correlationId'>> = {}): void {
    this.pending.push({
      id: `sim-${this.runId}-${String(++this.eventCounter).padStart(12, '0')}`,
      source: this.source,
      type,
      occurredAt: new Date(this.lastMs).toISOString(),
      entity,
      ...context,
      payload,
    });
  }

  /** The injected clock, held non-decreasing so the id order and the occurredAt order never disagree. */
  private tick(): number {
    this.lastMs = Math.max(this.lastMs, this.clock.now().getTime());
    return this.lastMs;
  }

  private agentId(a: AgentSpec): string {
    // Agents are the same personas in every run, so repeated runs update them instead of multiplying them.
    return `sim-agent-${a.role}`;
  }
}
