import type { EventMessage } from '../../src/contracts/index.js';
import { typed, type TypedEvent } from '../../src/web/live/reducers/fold.js';
import type { ReducerContext } from '../../src/web/live/reducers/reducer.js';

/** Builders for the browser's live reducers: a checked event message, and a context that records what it was asked. */
let seq = 0;
export function liveEvent(
  eventType: EventMessage['eventType'],
  entityId: string,
  occurredAt: string,
  payload: unknown,
  module: EventMessage['module'] = 'workflow',
  // Numbered as a sender would, so of two built at the same instant the later one wins the tie.
  { source, sourceEventId }: { source: string; sourceEventId: string } = { source: 'test', sourceEventId: `e-${String(seq + 1).padStart(8, '0')}` },
): TypedEvent {
  seq += 1;
  const msg: EventMessage = {
    type: 'event',
    eventId: seq,
    prevEventId: seq - 1,
    epoch: 'e',
    eventType,
    module,
    entityType: 'x',
    entityId,
    occurredAt,
    source,
    sourceEventId,
    payload,
    lineageRef: String(seq),
  };
  const e = typed(msg);
  if (!e) throw new Error(`invalid payload for ${eventType}`);
  return e;
}

export function recordingContext(now: () => number = () => Date.parse('2026-11-29T12:00:00Z')) {
  const invalidated: unknown[] = [];
  const flashed: string[] = [];
  const ctx: ReducerContext = { invalidate: (k) => invalidated.push(k), flash: (ids) => flashed.push(...ids), now };
  return { ctx, invalidated, flashed };
}
