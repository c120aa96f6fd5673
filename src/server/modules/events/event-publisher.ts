import { recordError, withSpan } from '../../observability/tracing.js';
import type { StoredEvent } from './stored-event.js';

export type EventListener = (events: readonly StoredEvent[]) => void;

/** Where the writer hands committed events: the publisher itself, or a relay that orders them with other instances' commits. */
export interface CommitSink {
  publish(events: readonly StoredEvent[]): void;
}

/**
 * In-process fan-out of committed events (the real-time gateway subscribes here). It is only ever called after the
 * append transaction committed. A failing listener is isolated and reported, never allowed to break ingestion.
 */
export class EventPublisher implements CommitSink {
  private readonly listeners = new Set<EventListener>();
  private stopped = false;
  private head = 0;

  constructor(private readonly onListenerError: (err: unknown) => void) {}

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(events: readonly StoredEvent[]): void {
    if (this.stopped || events.length === 0) return;
    for (const e of events) if (e.eventId > this.head) this.head = e.eventId;
    // The listeners run inside this span: the gateway's fan-out becomes its child.
    withSpan('events.publish', { 'bmad.events': events.length, 'bmad.listeners': this.listeners.size, 'bmad.head_event_id': this.head }, (span) => {
      for (const listener of this.listeners) {
        try {
          listener(events);
        } catch (err) {
          recordError(span, err);
          this.onListenerError(err);
        }
      }
    });
  }

  /** The highest sequence published so far (0 before the first publish). */
  get publishedHead(): number {
    return this.head;
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  get alive(): boolean {
    return !this.stopped;
  }

  stop(): void {
    this.stopped = true;
    this.listeners.clear();
  }
}
