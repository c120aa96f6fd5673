import { EVENT_CATALOGUE, STATUS_MODEL, type EventMessage, type EventPayloads, type EventType, type Project, type Story, type Workflow, storyDetailsOf } from '../../../contracts/index.js';

/** An event message with its payload checked against the shared catalogue. */
export type TypedEvent = { [K in EventType]: Omit<EventMessage, 'eventType' | 'payload'> & { eventType: K; payload: EventPayloads[K] } }[EventType];

export function typed(msg: EventMessage): TypedEvent | undefined {
  const parsed = EVENT_CATALOGUE[msg.eventType].payload.safeParse(msg.payload);
  return parsed.success ? ({ ...msg, payload: parsed.data } as TypedEvent) : undefined;
}

const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : -Infinity);

/** The conflict rule shared with the server's projections: the newest occurredAt wins (ties go to the later event). */
export const isNewer = (occurredAt: string, current: string | null | undefined) => ms(occurredAt) >= ms(current);

const latest = (a: string, b: string | null) => (ms(a) >= ms(b) ? a : (b ?? a));

export function foldWorkflow(current: Workflow | undefined, e: TypedEvent): Workflow | undefined {
  if (e.eventType !== 'workflow.upserted' && e.eventType !== 'workflow.transitioned') return current;
  const base: Workflow = current ?? {
    id: e.entityId,
    projectId: null,
    storyId: null,
    storyTitle: null,
    name: null,
    ownerId: null,
    agentId: null,
    status: null,
    lastTransitionAt: null,
    updatedAt: e.occurredAt,
    startedAt: null,
    endedAt: null,
    cost: null,
    sessions: [],
  };
  const next = { ...base };
  if (e.eventType === 'workflow.upserted' && (!current || isNewer(e.occurredAt, current.updatedAt))) {
    const p = e.payload;
    Object.assign(next, { projectId: p.projectId ?? null, storyId: p.storyId ?? null, name: p.name, ownerId: p.ownerId ?? null, agentId: p.agentId ?? null });
    // The story's title is not in workflow events: kept from the cached row while the run names the same story.
    if (next.storyId !== base.storyId) next.storyTitle = null;
  }
  const status = e.eventType === 'workflow.upserted' ? e.payload.status : e.payload.to;
  if (isNewer(e.occurredAt, base.lastTransitionAt)) {
    next.status = status;
    next.lastTransitionAt = e.occurredAt;
  }
  // As the server's projection: a run starts when first seen doing anything, and ends when it reaches a terminal status.
  if (status !== 'queued' && status !== 'canceled' && (base.startedAt === null || ms(e.occurredAt) < ms(base.startedAt))) next.startedAt = e.occurredAt;
  next.endedAt = next.status === 'done' || next.status === 'failed' || next.status === 'canceled' ? next.lastTransitionAt : null;
  next.updatedAt = latest(e.occurredAt, base.updatedAt);
  return next;
}

export function foldStory(current: Story | undefined, e: TypedEvent): Story | undefined {
  if (e.eventType !== 'story.upserted' && e.eventType !== 'story.status_changed') return current;
  const base: Story = current ?? {
    id: e.entityId,
    projectId: null,
    title: null,
    ownerId: null,
    status: null,
    kanbanColumn: null,
    epic: null,
    statusSince: null,
    updatedAt: e.occurredAt,
    details: null,
    findings: [],
  };
  const next = { ...base };
  if (e.eventType === 'story.upserted' && (!current || isNewer(e.occurredAt, current.updatedAt))) {
    const d = e.payload.details;
    Object.assign(next, {
      projectId: e.payload.projectId,
      title: e.payload.title,
      ownerId: e.payload.ownerId ?? null,
      epic: e.payload.epic ?? null,
      details: storyDetailsOf(d),
    });
  }
  if (isNewer(e.occurredAt, base.statusSince)) {
    // Status and column travel together, as in the server's projection: a status change leaves a custom column.
    next.status = e.eventType === 'story.upserted' ? e.payload.status : e.payload.to;
    next.kanbanColumn = e.eventType === 'story.upserted' ? (e.payload.kanbanColumn ?? null) : (e.payload.column ?? null);
    next.statusSince = e.occurredAt;
  }
  next.updatedAt = latest(e.occurredAt, base.updatedAt);
  return next;
}

export function foldProject(current: Project | undefined, e: TypedEvent, now: number): Project | undefined {
  if (e.eventType !== 'project.upserted') return current;
  if (current && !isNewer(e.occurredAt, current.updatedAt)) return current;
  const p = e.payload;
  const dueAt = p.dueAt ?? null;
  return {
    id: e.entityId,
    name: p.name,
    ownerId: p.ownerId ?? null,
    status: p.status,
    progressPct: p.progressPct ?? null,
    dueAt,
    riskFlag: p.riskFlag ?? false,
    overdue: dueAt !== null && Date.parse(dueAt) < now && !STATUS_MODEL.project.terminal.includes(p.status),
    updatedAt: e.occurredAt,
    details: p.details ?? null,
    // Cost figures are not in project events: they stay as the server last counted them.
    ...(current?.cost ? { cost: current.cost } : {}),
    ...(current?.doneStories !== undefined ? { doneStories: current.doneStories } : {}),
    ...(current?.costPerDoneStory ? { costPerDoneStory: current.costPerDoneStory } : {}),
  };
}
