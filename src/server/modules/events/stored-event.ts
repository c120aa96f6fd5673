import type { EventType, IncomingEvent } from '../../../contracts/index.js';

/** An event as appended to domain_events: the validated incoming event plus its global sequence number. */
export type StoredEvent = IncomingEvent & { eventId: number; ingestedAt: string };

export type StoredEventOf<K extends EventType> = Extract<StoredEvent, { type: K }>;

export function sourceKey(e: { source: string; sourceEventId: string }): string {
  return `${e.source}\n${e.sourceEventId}`;
}
