import { expect } from 'vitest';
import { ingestResponseSchema, type EventType } from '../../src/contracts/index.js';
import type { TestServer } from './test-server.js';

export interface IngestedEvent {
  eventId: number;
  type: EventType;
  source: string;
  sourceEventId: string;
}

/** Posts events that must all be new, and returns the sequence number each one got, in request order. */
export async function ingestAccepted(t: TestServer, events: readonly { type: string }[]): Promise<IngestedEvent[]> {
  const res = await t.ingest([...events]);
  const raw: unknown = await res.json();
  expect(res.status, JSON.stringify(raw).slice(0, 500)).toBe(200);
  const body = ingestResponseSchema.parse(raw);
  return body.results.map((r, i) => {
    if (r.status !== 'accepted') throw new Error(`event ${i} was not accepted: ${JSON.stringify(r)}`);
    return { eventId: r.eventId, type: events[i]!.type as EventType, source: r.source, sourceEventId: r.id };
  });
}

/** The sequence numbers of events that must all be new, in request order. */
export async function ingestIds(t: TestServer, events: readonly { type: string }[]): Promise<number[]> {
  return (await ingestAccepted(t, events)).map((e) => e.eventId);
}

/**
 * Events only the server itself may emit (a budget, set by an operator in the dashboard), put in through the server's
 * own ingestion, as its commands do: no API key may send them.
 */
export async function serverIngest(t: TestServer, events: readonly unknown[]): Promise<void> {
  const res = await t.server.core.ingestion.ingest(events);
  if (res.rejected > 0) throw new Error(`server ingestion rejected: ${JSON.stringify(res.results.filter((r) => r.status === 'rejected'))}`);
}
