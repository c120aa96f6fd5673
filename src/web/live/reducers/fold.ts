import {
  EVENT_CATALOGUE,
  STATUS_MODEL,
  isNewerVersion,
  maxInstant,
  minInstant,
  storyDetailsOf,
  versionKeyOf,
  type EventMessage,
  type EventPayloads,
  type EventType,
  type Project,
  type Story,
  type VersionStamp,
  type Workflow,
} from '../../../contracts/index.js';

/** An event message with its payload checked against the shared catalogue. */
export type TypedEvent = { [K in EventType]: Omit<EventMessage, 'eventType' | 'payload'> & { eventType: K; payload: EventPayloads[K] } }[EventType];

export function typed(msg: EventMessage): TypedEvent | undefined {
  const parsed = EVENT_CATALOGUE[msg.eventType].payload.safeParse(msg.payload);
  return parsed.success ? ({ ...msg, payload: parsed.data } as TypedEvent) : undefined;
}

/** An event's place in the "newest wins" order, exactly as the server's projections rank it. */
export function versionOfMessage(e: Pick<EventMessage, 'occurredAt' | 'source' | 'sourceEventId'>): VersionStamp {
  // From a server that does not say who sent it: it loses every tie rather than winning one by arrival order.
  const key = e.source === null || e.sourceEventId === null ? '' : versionKeyOf({ source: e.source, sourceEventId: e.sourceEventId });
  return { at: e.occurredAt, key };
}

/**
 * Whether the event wins over the version a row was built from: the server's rule (contracts/version-order), so a tie
 * on occurredAt breaks the same way on both sides instead of going to whichever event arrived last.
 */
export const isNewer = (e: TypedEvent, held: VersionStamp | null | undefined) => isNewerVersion(versionOfMessage(e), held ?? { at: null, key: null });

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
    attrsVersion: null,
    statusVersion: null,
  };
  const v = versionOfMessage(e);
  const next = { ...base };
  // Attributes and status are versioned apart, as on the server: an upsert older than the last transition still names the run.
  if (e.eventType === 'workflow.upserted' && isNewer(e, base.attrsVersion)) {
    const p = e.payload;
    Object.assign(next, {
      projectId: p.projectId ?? null,
      storyId: p.storyId ?? null,
      name: p.name,
      ownerId: p.ownerId ?? null,
      agentId: p.agentId ?? null,
      attrsVersion: v,
    });
    // The story's title is not in workflow events: kept from the cached row while the run names the same story.
    if (next.storyId !== base.storyId) next.storyTitle = null;
  }
  const status = e.eventType === 'workflow.upserted' ? e.payload.status : e.payload.to;
  if (isNewer(e, base.statusVersion)) {
    next.status = status;
    next.lastTransitionAt = e.occurredAt;
    next.statusVersion = v;
  }
  // As the server's projection: a run starts when first seen doing anything, and ends when it reaches a terminal status.
  if (status !== 'queued' && status !== 'canceled') next.startedAt = minInstant(base.startedAt, e.occurredAt);
  next.endedAt = next.status === 'done' || next.status === 'failed' || next.status === 'canceled' ? next.lastTransitionAt : null;
  next.updatedAt = maxInstant(e.occurredAt, base.updatedAt);
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
    attrsVersion: null,
    statusVersion: null,
  };
  const v = versionOfMessage(e);
  const next = { ...base };
  if (e.eventType === 'story.upserted' && isNewer(e, base.attrsVersion)) {
    const d = e.payload.details;
    Object.assign(next, {
      projectId: e.payload.projectId,
      title: e.payload.title,
      ownerId: e.payload.ownerId ?? null,
      epic: e.payload.epic ?? null,
      details: storyDetailsOf(d),
      attrsVersion: v,
    });
  }
  if (isNewer(e, base.statusVersion)) {
    // Status and column travel together, as in the server's projection: a status change leaves a custom column. With
    // no column named, the card sits in its status's column, which is what the server then reports as its column.
    next.status = e.eventType === 'story.upserted' ? e.payload.status : e.payload.to;
    next.kanbanColumn = (e.eventType === 'story.upserted' ? e.payload.kanbanColumn : e.payload.column) ?? next.status;
    next.statusSince = e.occurredAt;
    next.statusVersion = v;
  }
  next.updatedAt = maxInstant(e.occurredAt, base.updatedAt);
  return next;
}

export function foldProject(current: Project | undefined, e: TypedEvent, now: number): Project | undefined {
  if (e.eventType !== 'project.upserted') return current;
  if (current && !isNewer(e, current.rowVersion)) return current;
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
    rowVersion: versionOfMessage(e),
    // Cost figures are not in project events: they stay as the server last counted them.
    ...(current?.cost ? { cost: current.cost } : {}),
    ...(current?.doneStories !== undefined ? { doneStories: current.doneStories } : {}),
    ...(current?.costPerDoneStory ? { costPerDoneStory: current.costPerDoneStory } : {}),
  };
}
