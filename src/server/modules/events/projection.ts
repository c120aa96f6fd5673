import type { EventType } from '../../../contracts/index.js';
import type { Executor } from '../../db/handle.js';
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

/** Position of an event in the "newest wins" order: occurredAt, then a deterministic tie-break on its identity. */
export interface Version {
  at: string;
  key: string;
}

export function versionOf(e: StoredEvent): Version {
  return { at: e.occurredAt, key: `${e.source}\n${e.sourceEventId}` };
}

export function isNewer(candidate: Version, current: { at: string | null; key: string | null }): boolean {
  if (current.at === null || current.key === null) return true;
  if (candidate.at !== current.at) return candidate.at > current.at;
  return candidate.key > current.key;
}

export function maxInstant(...values: (string | null | undefined)[]): string {
  let best = '';
  for (const v of values) if (v && v > best) best = v;
  return best;
}

export function minInstant(...values: (string | null | undefined)[]): string {
  let best: string | undefined;
  for (const v of values) if (v && (best === undefined || v < best)) best = v;
  return best ?? '';
}

/** Any projection, whatever subset of event types it handles (the engine routes each event to its handlers). */
export interface AnyProjection {
  readonly name: string;
  readonly handles: readonly EventType[];
  apply(trx: Executor, events: readonly never[]): Promise<void>;
}

export class ProjectionEngine {
  private readonly byType = new Map<EventType, AnyProjection[]>();

  constructor(private readonly projections: readonly AnyProjection[], catalogue: readonly EventType[]) {
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
      if (list) await p.apply(trx, list as never);
    }
  }
}
