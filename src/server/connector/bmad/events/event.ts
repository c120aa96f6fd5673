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

/**
 * An id of at most 128 characters (the ingestion limit): real story keys run long (`4-13-validate-canonical-lifecycle-…`),
 * and an id must stay stable and unique, so a long one keeps its start and ends in a hash of the whole.
 */
export function boundedId(prefix: string, key: string): string {
  const whole = `${prefix}${key}`;
  if (whole.length <= 128) return whole;
  return `${prefix}${key.slice(0, 128 - prefix.length - 9)}~${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}

/** Entity ids are derived from BMAD's own keys, so the same project imported twice lands on the same rows. */
export const ids = {
  project: (pk: string) => `bmad:${pk}`,
  story: (pk: string, key: string) => boundedId(`bmad:${pk}:story:`, key),
  epic: (pk: string, key: string) => boundedId(`bmad:${pk}:epic:`, key),
  workflow: (pk: string, key: string) => boundedId(`bmad:${pk}:wf:`, key),
  document: (pk: string, path: string) => `bmad:${pk}:doc:${createHash('sha256').update(path).digest('hex').slice(0, 24)}`,
  agent: (role: string) => `bmad-agent-${role}`,
  person: (email: string) => `person:${email.trim().toLowerCase()}`.slice(0, 128),
};

/**
 * The event id is a hash of everything the event says: an unchanged fact re-imported gives the same id (a duplicate,
 * never a copy), a changed one a new id. That is what makes re-imports, restarts and watcher replays idempotent.
 */
export function event(
  type: EventType,
  entityType: string,
  entityId: string,
  occurredAt: string,
  payload: Record<string, unknown>,
  context: Partial<ConnectorEvent> = {},
  prefix = 'bmad',
): ConnectorEvent {
  const digest = createHash('sha256')
    .update(JSON.stringify([type, entityId, occurredAt, payload, context]))
    .digest('hex')
    .slice(0, 40);
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

/**
 * A value for a bounded label field: control characters out, trimmed, cut to `max` (a model line or a title in a real
 * project can run long; the event must still be valid). Null when nothing is left.
 */
export function label(v: string | null | undefined, max: number): string | null {
  if (v === null || v === undefined) return null;
  // eslint-disable-next-line no-control-regex
  const clean = v.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  if (clean === '') return null;
  return clean.length <= max ? clean : `${clean.slice(0, max - 1).trimEnd()}…`;
}
