import type { EventType } from '../../contracts/index.js';
import type { SeededRandom } from './random.js';
import { COLUMN_STATUS, PRICES, agentId, type Project, type Run, type SimulatedEvent, type Story } from './sim-model.js';

/**
 * Turns the simulator's state changes into events exactly as a connector posts them, with ids unique to the run and
 * timestamps from the simulated clock. Events wait in `pending` until the simulator hands them out.
 */
export class SimulatedEventLog {
  readonly pending: SimulatedEvent[] = [];
  private eventCounter = 0;
  private costCounter = 0;

  constructor(
    private readonly runId: string,
    private readonly source: string,
    private readonly rng: SeededRandom,
    /** The simulated clock, in ms, as last ticked. */
    private readonly nowMs: () => number,
  ) {}

  /** How many events have been produced so far (handed out or pending). */
  get produced(): number {
    return this.eventCounter;
  }

  project(project: Project, atRisk: boolean): void {
    const total = Math.max(project.storiesCreated, project.epicsPlanned * 4);
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

  story(story: Story, run: Run): void {
    this.emit(
      'story.upserted',
      { type: 'story', id: story.id },
      { projectId: story.projectId, title: story.title, status: COLUMN_STATUS[story.column], kanbanColumn: story.column, epic: story.epic },
      { correlationId: run.id },
    );
  }

  cost(run: Run): void {
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
        agentId: agentId(run.agent),
        ...(run.story ? { storyId: run.story.id } : {}),
      },
      { correlationId: run.id },
    );
  }

  emit(
    type: EventType,
    entity: { type: string; id: string },
    payload: Record<string, unknown>,
    context: Partial<Pick<SimulatedEvent, 'projectId' | 'storyId' | 'correlationId'>> = {},
  ): void {
    this.pending.push({
      id: `sim-${this.runId}-${String(++this.eventCounter).padStart(12, '0')}`,
      source: this.source,
      type,
      occurredAt: new Date(this.nowMs()).toISOString(),
      entity,
      ...context,
      payload,
    });
  }
}
