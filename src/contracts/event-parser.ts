import { EVENT_CATALOGUE, eventEnvelopeSchema, type FieldError, type IncomingEvent } from './events.js';
import { issuesToFieldErrors } from './validation.js';

export type ParsedEvent = { ok: true; event: IncomingEvent } | { ok: false; errors: FieldError[]; id?: string; source?: string };

const CONTEXT_KEYS = ['projectId', 'storyId', 'workflowId'] as const;
type ContextKey = (typeof CONTEXT_KEYS)[number];

/** Which context key an entity's own id fills (a workflow event is about workflow `entity.id`). */
const ENTITY_CONTEXT: Partial<Record<string, ContextKey>> = {
  project: 'projectId',
  story: 'storyId',
  workflow: 'workflowId',
};

/**
 * Validates one posted event: envelope, then the payload schema of its type, then the consistency of the context
 * ids the envelope and payload both state. Returns field errors with paths relative to the event.
 */
export function parseIncomingEvent(raw: unknown): ParsedEvent {
  const envelope = eventEnvelopeSchema.safeParse(raw);
  if (!envelope.success) {
    const r = (raw ?? {}) as Record<string, unknown>;
    return {
      ok: false,
      errors: issuesToFieldErrors(envelope.error),
      ...(typeof r.id === 'string' ? { id: r.id.slice(0, 128) } : {}),
      ...(typeof r.source === 'string' ? { source: r.source.slice(0, 64) } : {}),
    };
  }
  const env = envelope.data;
  const entry = EVENT_CATALOGUE[env.type];
  const errors: FieldError[] = [];
  if (env.entity.type !== entry.entityType) {
    errors.push({ path: 'entity.type', message: `must be "${entry.entityType}" for ${env.type}` });
  }
  // The payload as sent, not the envelope's copy of it: z.record leaves out a `__proto__` key, which the type's strict
  // schema must see to refuse it like any other unknown key.
  const payload = entry.payload.safeParse((raw as { payload: unknown }).payload);
  if (!payload.success) errors.push(...issuesToFieldErrors(payload.error, 'payload'));
  if (errors.length > 0 || !payload.success) return { ok: false, errors, id: env.id, source: env.source };

  const context: Record<ContextKey, string | null> = {
    projectId: env.projectId ?? null,
    storyId: env.storyId ?? null,
    workflowId: env.workflowId ?? null,
  };
  const implied: Partial<Record<ContextKey, string>> = {};
  const own = ENTITY_CONTEXT[entry.entityType];
  if (own) implied[own] = env.entity.id;
  const p = payload.data as Partial<Record<ContextKey, string | null>>;
  for (const key of CONTEXT_KEYS) {
    const fromPayload = p[key];
    if (typeof fromPayload === 'string' && implied[key] === undefined) implied[key] = fromPayload;
  }
  for (const key of CONTEXT_KEYS) {
    const want = implied[key];
    if (want === undefined) continue;
    if (context[key] !== null && context[key] !== want) {
      errors.push({ path: key, message: `contradicts the event's ${key === own ? 'entity.id' : `payload.${key}`} (${want})` });
    }
    context[key] = want;
  }
  if (errors.length > 0) return { ok: false, errors, id: env.id, source: env.source };

  return {
    ok: true,
    event: {
      sourceEventId: env.id,
      source: env.source,
      type: env.type,
      occurredAt: env.occurredAt,
      entityType: env.entity.type,
      entityId: env.entity.id,
      ...context,
      correlationId: env.correlationId ?? null,
      payload: payload.data,
    } as IncomingEvent,
  };
}
