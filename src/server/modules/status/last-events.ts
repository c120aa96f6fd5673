import { EVENT_TYPES, TOPIC_OF_EVENT, type EventType, type Module } from '../../../contracts/index.js';
import type { LastEvents } from './sample-codec.js';

const isEventType = (t: string): t is EventType => (EVENT_TYPES as readonly string[]).includes(t);

/**
 * When each module last stored an event: kept current from the publisher (committed events only), seeded at start
 * from the newest sample and a bounded read of the newest events, so a restart does not forget it.
 */
export class LastEventTimes {
  private readonly at = new Map<Module, string>();

  /** Keeps the later of what is known and `when` (ISO instants compare as strings). */
  note(module: Module, when: string): void {
    const known = this.at.get(module);
    if (known === undefined || when > known) this.at.set(module, when);
  }

  noteEvents(events: readonly { type: string; ingestedAt: string }[]): void {
    for (const e of events) if (isEventType(e.type)) this.note(TOPIC_OF_EVENT[e.type], e.ingestedAt);
  }

  seed(known: LastEvents): void {
    for (const [module, when] of Object.entries(known) as [Module, string][]) this.note(module, when);
  }

  get(module: Module): string | null {
    return this.at.get(module) ?? null;
  }

  snapshot(): LastEvents {
    return Object.fromEntries(this.at);
  }
}
