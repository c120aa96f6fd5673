import { createHash } from 'node:crypto';
import { parseIncomingEvent } from '../../src/contracts/index.js';
import { contentHash } from '../../src/server/modules/events/content-hash.js';

/** Everything the bench posts comes from one source, so every id below must be unique within a run. */
export const SOURCE = 'bench';

const T0_MS = Date.parse('2026-11-29T08:00:00.000Z');

// Entity pools small enough that projections mostly update existing rows (the steady state of a live dashboard),
// and large enough that a 5,000-event group-commit round still touches many distinct rows.
const WORKFLOWS = 1000;
const STORIES = 500;
const PROJECTS = 10;

const TRANSITIONS = [
  { from: 'queued', to: 'in_progress' },
  { from: 'in_progress', to: 'blocked' },
  { from: 'blocked', to: 'queued' },
] as const;

export interface BenchEvent {
  id: string;
  source: string;
  type: string;
  occurredAt: string;
  entity: { type: string; id: string };
  payload: Record<string, unknown>;
}

/**
 * Event number `n` of a run. Ids are a zero-padded counter so they arrive in index order (random ids would scatter
 * inserts across the unique index and measure that instead). Half the events are workflow transitions because they
 * feed two projections (workflows and workflow_transitions); the rest upsert workflows and stories.
 */
export function benchEvent(n: number): BenchEvent {
  const id = `evt-${String(n).padStart(12, '0')}`;
  const occurredAt = new Date(T0_MS + n).toISOString();
  const projectId = `p-${n % PROJECTS}`;
  switch (n % 4) {
    case 0:
      return {
        id,
        source: SOURCE,
        type: 'workflow.upserted',
        occurredAt,
        entity: { type: 'workflow', id: `wf-${n % WORKFLOWS}` },
        payload: { name: `Workflow ${n % WORKFLOWS}`, status: 'queued', projectId },
      };
    case 2:
      return {
        id,
        source: SOURCE,
        type: 'story.upserted',
        occurredAt,
        entity: { type: 'story', id: `st-${n % STORIES}` },
        payload: { projectId, title: `Story ${n % STORIES}`, status: 'in_progress' },
      };
    default:
      return {
        id,
        source: SOURCE,
        type: 'workflow.transitioned',
        occurredAt,
        entity: { type: 'workflow', id: `wf-${n % WORKFLOWS}` },
        payload: { ...TRANSITIONS[n % TRANSITIONS.length]! },
      };
  }
}

/**
 * Event `n` of a cost-heavy log, as Claude Code transcripts and OTLP make one: four in five are cost records, whose
 * entity is the request (a random id), the rest benchEvent(n).
 */
export function costHeavyEvent(n: number): BenchEvent {
  if (n % 5 === 0) return benchEvent(n);
  return {
    id: `evt-${String(n).padStart(12, '0')}`,
    source: SOURCE,
    type: 'cost.recorded',
    occurredAt: new Date(T0_MS + n).toISOString(),
    entity: { type: 'cost', id: `req_${createHash('sha1').update(String(n)).digest('hex').slice(0, 24)}` },
    payload: {
      amount: (n % 500) / 1000,
      currency: 'USD',
      agentId: `agent-${n % 12}`,
      projectId: `p-${n % PROJECTS}`,
      model: 'claude-sonnet-4-5',
      tokens: { input: 1000 + (n % 20_000), output: n % 4000 },
    },
  };
}

/** bench:ingest's event `n`, sent by one of 5,000 runs (spread over them, not in order) of its project. */
export function correlatedEvent(n: number): BenchEvent & { projectId: string; correlationId: string } {
  return { ...benchEvent(n), projectId: `p-${n % PROJECTS}`, correlationId: `run-${(n * 7919) % 5000}` };
}

/** Events [first, first + count) cut into batches of `batchSize`. */
export function batches(first: number, count: number, batchSize: number): BenchEvent[][] {
  const out: BenchEvent[][] = [];
  for (let start = first; start < first + count; start += batchSize) {
    const batch: BenchEvent[] = [];
    for (let n = start; n < Math.min(start + batchSize, first + count); n++) batch.push(benchEvent(n));
    out.push(batch);
  }
  return out;
}

/** A domain_events row minus the id and ingested_at_utc, which the database and the commit time supply. */
export type DomainEventValues = [
  eventType: string,
  entityType: string,
  entityId: string,
  projectId: string | null,
  storyId: string | null,
  workflowId: string | null,
  occurredAt: string,
  sourceSystem: string,
  sourceEventId: string,
  correlationId: string | null,
  payloadJson: string,
  contentHash: string,
];

/**
 * The row the server would store for this event, derived with the server's own parser and hash so the ceiling
 * writes byte-identical content.
 */
export function domainEventValues(raw: BenchEvent): DomainEventValues {
  const parsed = parseIncomingEvent(raw);
  if (!parsed.ok) throw new Error(`bench event ${raw.id} is invalid: ${JSON.stringify(parsed.errors)}`);
  const e = parsed.event;
  return [
    e.type,
    e.entityType,
    e.entityId,
    e.projectId,
    e.storyId,
    e.workflowId,
    e.occurredAt,
    e.source,
    e.sourceEventId,
    e.correlationId,
    JSON.stringify(e.payload),
    contentHash(e),
  ];
}
