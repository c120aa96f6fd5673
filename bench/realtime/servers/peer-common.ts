/**
 * What the two comparison servers share: the event message our gateway sends, rebuilt byte for byte in shape, and
 * the tiny HTTP endpoint the bench posts the same ingest bodies to.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TOPIC_OF_EVENT, type EventType } from '../../../src/contracts/index.js';

/** Same length as our epoch (a UUID), so messages are the same size. */
export const EPOCH = '00000000-0000-4000-8000-000000000000';

export interface PostedEvent {
  type: EventType;
  occurredAt: string;
  entity: { type: string; id: string };
  payload: Record<string, unknown>;
}

export interface EventMessage {
  type: 'event';
  eventId: number;
  prevEventId: number;
  epoch: string;
  eventType: EventType;
  module: string;
  entityType: string;
  entityId: string;
  occurredAt: string;
  payload: Record<string, unknown>;
  lineageRef: string;
}

/** The fields, and their order, of our gateway's event message (realtime.gateway.ts sendEvent). */
export function eventMessage(e: PostedEvent, eventId: number, prevEventId: number): EventMessage {
  return {
    type: 'event',
    eventId,
    prevEventId,
    epoch: EPOCH,
    eventType: e.type,
    module: TOPIC_OF_EVENT[e.type],
    entityType: e.entity.type,
    entityId: e.entity.id,
    occurredAt: new Date(e.occurredAt).toISOString(),
    payload: e.payload,
    lineageRef: `event:${eventId}`,
  };
}

/**
 * POST /publish with the body POST /api/v1/events takes; answers in the ingest response's shape so the bench reads
 * every server's event ids the same way. No validation or storage: these servers are the broadcast alone.
 */
export function publishHandler(broadcast: (events: PostedEvent[]) => number[]) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'POST' || req.url !== '/publish') {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { events } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events: PostedEvent[] };
      const ids = broadcast(events);
      const body = JSON.stringify({
        accepted: ids.length,
        duplicates: 0,
        rejected: 0,
        results: ids.map((eventId, index) => ({ index, status: 'accepted', eventId })),
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    });
  };
}
