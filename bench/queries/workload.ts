/**
 * A realistic read-side data set: ~10 projects, 12 agents, 5 models, 2,000 stories, workflow runs with transitions,
 * and cost records that belong to those runs, spread over the last 35 days. Deterministic for a given seed and `now`.
 */

export interface RawEvent {
  id: string;
  source: string;
  type: string;
  occurredAt: string;
  entity: { type: string; id: string };
  payload: Record<string, unknown>;
}

export const SOURCE = 'bench-queries';
export const PROJECTS = 10;
export const AGENTS = 12;
export const STORIES = 2000;
/** Three models the shipped pricing table knows (token-only records get priced) and two it does not (unpriced). */
export const MODELS = ['claude-opus-4-1', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'gpt-5', 'gemini-2.5-pro'] as const;
const DAY_MS = 86_400_000;
const SPAN_MS = 35 * DAY_MS;

/** mulberry32: a small seeded PRNG, so two runs load the same data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface WorkloadPlan {
  costEvents: number;
  workflowEvents: number;
  now: number;
  seed?: number;
}

let seq = 0;
const nextId = () => `q-${String(++seq).padStart(12, '0')}`;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Projects, agents, stories and one monthly budget per project (8,000-26,000 USD against ~15,000 a month of spend:
 * some exceeded, some at risk, some on track): the reference data the runs point at.
 */
export function referenceEvents(now: number): RawEvent[] {
  const at = iso(now - SPAN_MS - DAY_MS);
  const out: RawEvent[] = [];
  for (let p = 0; p < PROJECTS; p++) {
    out.push({
      id: nextId(),
      source: SOURCE,
      type: 'project.upserted',
      occurredAt: at,
      entity: { type: 'project', id: `p-${p}` },
      payload: { name: `Project ${p}`, status: 'in_progress' },
    });
    out.push({
      id: nextId(),
      source: SOURCE,
      type: 'project.budget_set',
      occurredAt: at,
      entity: { type: 'project', id: `p-${p}` },
      payload: { amount: 8_000 + p * 2_000, currency: 'USD' },
    });
  }
  for (let a = 0; a < AGENTS; a++) {
    out.push({
      id: nextId(),
      source: SOURCE,
      type: 'agent.upserted',
      occurredAt: at,
      entity: { type: 'agent', id: `agent-${a}` },
      payload: { name: `Agent ${a}`, type: ['dev', 'qa', 'pm', 'architect'][a % 4]! },
    });
  }
  const columns = ['queued', 'in_progress', 'blocked', 'done'] as const;
  for (let s = 0; s < STORIES; s++) {
    out.push({
      id: nextId(),
      source: SOURCE,
      type: 'story.upserted',
      occurredAt: at,
      entity: { type: 'story', id: `s-${s}` },
      payload: { projectId: `p-${s % PROJECTS}`, title: `Story ${s}`, status: columns[s % columns.length]!, epic: `Epic ${Math.floor(s / 20) % 10}` },
    });
  }
  return out;
}

/**
 * Workflow runs in start-time order, each yielding its events: workflow.upserted, 3 transitions (queued -> in_progress
 * -> blocked|in_progress... -> done), and its share of the cost records, all inside the run's 1-3 hours.
 * Yields batches so the caller never holds more than one in memory.
 */
export function* runEvents(plan: WorkloadPlan, batchSize: number): Generator<RawEvent[]> {
  const random = rng(plan.seed ?? 42);
  const workflowEventsPerRun = 4;
  const runs = Math.max(1, Math.floor(plan.workflowEvents / workflowEventsPerRun));
  const costsPerRun = plan.costEvents / runs;
  const starts = Array.from({ length: runs }, () => plan.now - SPAN_MS + random() * (SPAN_MS - 3 * 3_600_000)).sort((a, b) => a - b);
  let batch: RawEvent[] = [];
  let costsEmitted = 0;
  for (let r = 0; r < runs; r++) {
    const story = Math.floor(random() * STORIES);
    const projectId = `p-${story % PROJECTS}`;
    const storyId = `s-${story}`;
    const agentId = `agent-${Math.floor(random() * AGENTS)}`;
    const workflowId = `wf-${r}`;
    const start = starts[r]!;
    const duration = 3_600_000 + random() * 2 * 3_600_000;
    const wf = (type: string, at: number, payload: Record<string, unknown>): RawEvent => ({
      id: nextId(),
      source: SOURCE,
      type,
      occurredAt: iso(at),
      entity: { type: 'workflow', id: workflowId },
      payload,
    });
    batch.push(wf('workflow.upserted', start, { name: `dev-story ${storyId}`, status: 'queued', projectId, storyId, agentId }));
    batch.push(wf('workflow.transitioned', start + 60_000, { from: 'queued', to: 'in_progress', actorId: agentId }));
    const blocked = random() < 0.2;
    batch.push(
      wf(
        'workflow.transitioned',
        start + duration / 2,
        blocked ? { from: 'in_progress', to: 'blocked', reason: 'waiting for review' } : { from: 'in_progress', to: 'queued' },
      ),
    );
    batch.push(wf('workflow.transitioned', start + duration, blocked ? { from: 'blocked', to: 'failed' } : { from: 'queued', to: 'canceled' }));
    // Spread the cost records evenly so the total is exact: run r gets floor((r+1)*k) - floor(r*k).
    const n = Math.floor((r + 1) * costsPerRun) - costsEmitted;
    costsEmitted += n;
    for (let c = 0; c < n; c++) {
      const at = start + 60_000 + random() * (duration - 60_000);
      const kind = random();
      const model = MODELS[Math.floor(random() * MODELS.length)]!;
      const payload: Record<string, unknown> =
        kind < 0.85
          ? { amount: Math.round(random() * 40) / 100 + 0.01, currency: 'USD', model, agentId, workflowId, storyId, projectId }
          : {
              // Token-only: priced from the table for Claude models, unpriced (unknown) for the others.
              model: kind < 0.97 ? MODELS[Math.floor(random() * 3)]! : model === 'gpt-5' || model === 'gemini-2.5-pro' ? model : 'gpt-5',
              tokens: { input: Math.floor(random() * 20_000), output: Math.floor(random() * 4_000), cacheRead: Math.floor(random() * 50_000) },
              agentId,
              workflowId,
              storyId,
              projectId,
            };
      batch.push({ id: nextId(), source: SOURCE, type: 'cost.recorded', occurredAt: iso(at), entity: { type: 'cost', id: `cost-${seq}` }, payload });
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

export const BIG_PROJECT_ID = 'p-big';

/** One more project holding `stories` stories in every column, no runs: the board the UI must render at that size. */
export function bigProjectEvents(now: number, stories: number): RawEvent[] {
  const at = iso(now - SPAN_MS - DAY_MS);
  const columns = ['queued', 'in_progress', 'blocked', 'done', 'canceled'] as const;
  const out: RawEvent[] = [
    {
      id: nextId(),
      source: SOURCE,
      type: 'project.upserted',
      occurredAt: at,
      entity: { type: 'project', id: BIG_PROJECT_ID },
      payload: { name: 'Big project', status: 'in_progress' },
    },
  ];
  for (let s = 0; s < stories; s++) {
    out.push({
      id: nextId(),
      source: SOURCE,
      type: 'story.upserted',
      occurredAt: at,
      entity: { type: 'story', id: `big-${s}` },
      payload: {
        projectId: BIG_PROJECT_ID,
        title: `Big project story ${s} with a title of realistic length`,
        status: columns[s % columns.length]!,
        epic: `Epic ${s % 12}`,
      },
    });
  }
  return out;
}
