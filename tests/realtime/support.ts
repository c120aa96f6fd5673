export { ingestAccepted, type IngestedEvent } from '../support/ingest.js';
import type { EventMessage, ServerMessage } from '../../src/contracts/index.js';
import type { TestWsClient } from '../support/ws-client.js';

export function eventsOf(messages: readonly ServerMessage[]): EventMessage[] {
  return messages.filter((m): m is EventMessage => m.type === 'event');
}

/**
 * Checks the per-connection ordering contract on everything a client received, and returns the violations (empty
 * when the stream is sound) so a failure shows all of them at once:
 * - every event's prevEventId is the connection's position: the previous event's id, or the last resync_complete's
 *   toEventId when that came later;
 * - the only exception is the first event of a replay, whose prevEventId is the client's lastAck, i.e. the
 *   fromEventId - 1 of the recovered resync_complete that ends that replay;
 * - eventIds strictly increase: across the whole connection, or (allowRewind) within each stretch between replay
 *   starts, for a client that asked to be rewound below what it had already been sent.
 */
export function streamViolations(messages: readonly ServerMessage[], opts: { allowRewind?: boolean } = {}): string[] {
  const problems: string[] = [];
  let position = 0;
  let lastId = 0;
  messages.forEach((m, i) => {
    if (m.type === 'resync_complete') {
      if (m.toEventId < position) problems.push(`#${i} resync_complete moves the position back from ${position} to ${m.toEventId}`);
      position = m.toEventId;
      return;
    }
    if (m.type !== 'event') return;
    if (m.eventId <= m.prevEventId) problems.push(`#${i} event ${m.eventId} has prevEventId ${m.prevEventId} >= itself`);
    if (m.prevEventId !== position) {
      // Heartbeat answers and stale/sync pushes are not held back during a replay, so they may come in between.
      const end = messages.find((n, j) => j > i && (n.type === 'resync_complete' || n.type === 'snapshot'));
      const replayStart = end?.type === 'resync_complete' && end.recovered && end.fromEventId - 1 === m.prevEventId;
      if (!replayStart) {
        problems.push(`#${i} event ${m.eventId} has prevEventId ${m.prevEventId}, expected ${position}`);
      } else if (opts.allowRewind) {
        lastId = Math.min(lastId, m.prevEventId);
      }
    }
    if (m.eventId <= lastId) problems.push(`#${i} event ${m.eventId} does not increase on ${lastId}`);
    lastId = Math.max(lastId, m.eventId);
    position = m.eventId;
  });
  return problems;
}

/** Index of the next message, so a wait only looks at what the server sends after a request. */
export const mark = (c: TestWsClient): number => c.messages.length;

/** Messages received after `from`, up to and including the first that matches `last`. */
export function between(c: TestWsClient, from: number, last: ServerMessage): ServerMessage[] {
  const end = c.messages.indexOf(last, from);
  if (end === -1) throw new Error('message not found after the mark');
  return c.messages.slice(from, end + 1);
}

/** A heartbeat round trip: once it is answered, the server has handled everything this client sent before it. */
export async function roundTrip(c: TestWsClient, timeoutMs = 5000): Promise<void> {
  const ts = Math.random();
  const from = mark(c);
  c.send({ type: 'heartbeat', ts });
  await c.waitFor((m) => m.type === 'heartbeat' && m.ts === ts, timeoutMs, from);
}
