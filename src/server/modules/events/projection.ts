import type { EventType } from '../../../contracts/index.js';
import { isNewerVersion, maxInstant, minInstant, versionOfEvent, type VersionStamp } from '../../../contracts/version-order.js';
import type { Executor } from '../../db/handle.js';
import { withSpan } from '../../observability/tracing.js';
import type { StoredEvent, StoredEventOf } from './stored-event.js';

/**
 * A read model updater. It declares the event types it handles and applies a batch of them inside the append
 * transaction. Projections must be order-independent: the result may depend on event content only, never on
 * arrival order or sequence numbers (apart from rows that record the event id itself).
 */
export interface Projection<K extends EventType = EventType> {
  readonly name: string;
  readonly handles: readonly K[];
  apply(trx: Executor, events: readonly StoredEventOf<K>[]): Promise<void>;
}

/** Position of an event in the "newest wins" order: the rule the browser's live folds share (contracts/version-order). */
export type Version = VersionStamp;

export function versionOf(e: StoredEvent): Version {
  return versionOfEvent(e);
}

export { isNewerVersion as isNewer, maxInstant, minInstant };

/** A read model's stored version as the API serves it: both halves or nothing (they are always written together). */
export function stampOf(at: string | null, key: string | null): Version | null {
  return at === null || key === null ? null : { at, key };
}

/** Any projection, whatever subset of event types it handles (the engine routes each event to its handlers). */
export interface AnyProjection {
  readonly name: string;
  readonly handles: readonly EventType[];
  apply(trx: Executor, events: readonly never[]): Promise<void>;
}

export class ProjectionEngine {
  private readonly byType = new Map<EventType, AnyProjection[]>();

  constructor(
    private readonly projections: readonly AnyProjection[],
    catalogue: readonly EventType[],
  ) {
    const names = new Set<string>();
    for (const p of projections) {
      if (names.has(p.name)) throw new Error(`two projections are named ${p.name}`);
      names.add(p.name);
      for (const t of p.handles) this.byType.set(t, [...(this.byType.get(t) ?? []), p]);
    }
    const unhandled = catalogue.filter((t) => !this.byType.has(t));
    if (unhandled.length > 0) throw new Error(`event types without a projection: ${unhandled.join(', ')}`);
  }

  async apply(trx: Executor, events: readonly StoredEvent[]): Promise<void> {
    const batches = new Map<AnyProjection, StoredEvent[]>();
    for (const e of events) {
      for (const p of this.byType.get(e.type) ?? []) {
        let list = batches.get(p);
        if (!list) batches.set(p, (list = []));
        list.push(e);
      }
    }
    // Projection order is the registration order, so a rebuild runs them identically.
    for (const p of this.projections) {
      const list = batches.get(p);
      // A span per projection (projection.<name>): which read model makes a slow round slow.
      if (list) await withSpan(`projection.${p.name}`, { 'bmad.projection': p.name, 'bmad.events': list.length }, () => p.apply(trx, list as never));
    }
  }
}
