import { createHash } from 'node:crypto';
import { isTransitionAllowed, type EventType, type Status, type StatusEntity } from '../../../../contracts/index.js';
import type { CommitMeta } from '../history/reader.js';

export const CONNECTOR_SOURCE = 'bmad-connector';

/** An event as the ingestion API takes it. */
export interface ConnectorEvent {
  id: string;
  source: string;
  type: EventType;
  occurredAt: string;
  entity: { type: string; id: string };
  projectId?: string | null;
  storyId?: string | null;
  workflowId?: string | null;
  payload: Record<string, unknown>;
}

export const iso = (ms: number) => new Date(Math.max(0, Math.floor(ms))).toISOString();

/** Entity ids are derived from BMAD's own keys, so the same project imported twice lands on the same rows. */
export const ids = {
  project: (pk: string) => `bmad:${pk}`,
  story: (pk: string, key: string) => `bmad:${pk}:story:${key}`,
  epic: (pk: string, key: string) => `bmad:${pk}:epic:${key}`,
  workflow: (pk: string, key: string) => `bmad:${pk}:wf:${key}`,
  document: (pk: string, path: string) => `bmad:${pk}:doc:${createHash('sha256').update(path).digest('hex').slice(0, 24)}`,
  agent: (role: string) => `bmad-agent-${role}`,
  person: (email: string) => `person:${email.trim().toLowerCase()}`.slice(0, 128),
};

/**
 * The event id is a hash of everything the event says: an unchanged fact re-imported gives the same id (a duplicate,
 * never a copy), a changed one a new id. That is what makes re-imports, restarts and watcher replays idempotent.
 */
export function event(type: EventType, entityType: string, entityId: string, occurredAt: string, payload: Record<string, unknown>, context: Partial<ConnectorEvent> = {}, prefix = 'bmad'): ConnectorEvent {
  const digest = createHash('sha256').update(JSON.stringify([type, entityId, occurredAt, payload, context])).digest('hex').slice(0, 40);
  return { id: `${prefix}-${digest}`, source: CONNECTOR_SOURCE, type, occurredAt, entity: { type: entityType, id: entityId }, ...context, payload };
}

/** The same event at a later instant (with the id that content implies). */
export function retimed(e: ConnectorEvent, occurredAt: string): ConnectorEvent {
  const { id, source: _source, type, occurredAt: _at, entity, payload, ...context } = e;
  return event(type, entity.type, entity.id, occurredAt, payload, context, id.slice(0, id.indexOf('-')));
}

/** A commit as events carry it. */
export function commitRef(c: CommitMeta | null, path: string | null = null): Record<string, unknown> | null {
  if (!c) return null;
  return { hash: c.hash, committedAt: c.committedAt, subject: c.subject.slice(0, 300) || null, ...(path ? { path } : {}) };
}

/** `from` only when the status model allows the move: a history that skipped a step (blocked → done) still reads. */
export function allowedFrom(entity: StatusEntity, from: Status | null, to: Status, sameColumn: boolean): Status | null {
  if (from === null) return null;
  if (from === to) return sameColumn ? null : from;
  return isTransitionAllowed(entity, from, to) ? from : null;
}

/** A valid email for user.upserted, or null (git allows anything as an email). */
export function validEmail(email: string): string | null {
  const e = email.trim();
  return /^[^\s@<>()[\]\\,;:"]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/.test(e) && e.length <= 254 ? e : null;
}
