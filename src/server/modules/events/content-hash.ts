import { createHash } from 'node:crypto';
import type { IncomingEvent } from '../../../contracts/index.js';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      // An omitted optional field and an explicit null say the same thing.
      if (v !== undefined && v !== null) out[k] = canonical(v);
    }
    return out;
  }
  return value;
}

/**
 * Identity of an event's content, independent of key order and of null-vs-absent optional fields. Two posts with the
 * same source and id are a harmless duplicate when this matches, a conflict when it does not.
 */
export function contentHash(e: IncomingEvent): string {
  const body = canonical({
    type: e.type,
    occurredAt: e.occurredAt,
    entityType: e.entityType,
    entityId: e.entityId,
    projectId: e.projectId,
    storyId: e.storyId,
    workflowId: e.workflowId,
    correlationId: e.correlationId,
    payload: e.payload,
  });
  return createHash('sha256').update(JSON.stringify(body)).digest('base64url');
}
