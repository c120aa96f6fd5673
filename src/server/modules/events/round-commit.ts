import type { IncomingEvent } from '../../../contracts/index.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { withWriteTransaction, type WriteTransactionOptions } from '../../db/write-transaction.js';
import { contentHash } from './content-hash.js';
import { eventsRepository, type NewEvent } from './events.repository.js';
import type { ProjectionEngine } from './projection.js';
import { sourceKey, type StoredEvent } from './stored-event.js';

export type AppendOutcome = { status: 'accepted'; eventId: number } | { status: 'duplicate'; eventId: number } | { status: 'conflict'; eventId: number };

/** Who delivered an event of a round and, when traced, the request that carried it (lineage shows both). */
export interface RoundOrigin {
  sentBy: string | null;
  traceId: string | null;
  spanId: string | null;
}

export interface CommittedRound {
  /** One per event of the round, in its order. */
  outcomes: AppendOutcome[];
  /** The events appended, in id order: what the publisher gets once the round is acknowledged. */
  stored: StoredEvent[];
}

/**
 * One write round: dedup against the log and within the round, append the new events and run every projection on
 * them, all in one transaction. `recordedAt` gives the ingestion time every appended event gets, asked once the write
 * lock is held. Runs wherever the write connection is: on the main thread, or on the writer's worker thread
 * (writer-thread/). `hashes` are the events' content hashes, which the writer takes as each request queues.
 */
export function commitRound(
  db: DatabaseHandle,
  projections: ProjectionEngine,
  events: readonly IncomingEvent[],
  origins: readonly RoundOrigin[],
  recordedAt: () => string,
  transaction: WriteTransactionOptions,
  hashes: readonly string[] = events.map(contentHash),
): Promise<CommittedRound & { recordedAt: string }> {
  return withWriteTransaction(db, transaction, async (trx) => {
    const at = recordedAt();
    const existing = await eventsRepository.findBySourceKeys(trx, events);
    const pending = new Map<string, { hash: string; index: number }>();
    const fresh: NewEvent[] = [];
    const plan: ({ kind: 'new'; key: string } | { kind: 'dup' | 'conflict'; eventId: number } | { kind: 'dup-new' | 'conflict-new'; key: string })[] = [];
    events.forEach((event, i) => {
      const key = sourceKey(event);
      const hash = hashes[i]!;
      const stored = existing.get(key);
      if (stored) {
        plan.push({ kind: stored.contentHash === hash ? 'dup' : 'conflict', eventId: stored.eventId });
        return;
      }
      const earlier = pending.get(key);
      if (earlier) {
        plan.push({ kind: earlier.hash === hash ? 'dup-new' : 'conflict-new', key });
        return;
      }
      pending.set(key, { hash, index: fresh.length });
      fresh.push({ event, contentHash: hash, ...(origins[i] ?? { sentBy: null }) });
      plan.push({ kind: 'new', key });
    });
    const stored = await eventsRepository.append(trx, fresh, at);
    await projections.apply(trx, stored);
    const idOf = (key: string) => stored[pending.get(key)!.index]!.eventId;
    const outcomes: AppendOutcome[] = plan.map((p) => {
      switch (p.kind) {
        case 'new':
          return { status: 'accepted', eventId: idOf(p.key) };
        case 'dup':
          return { status: 'duplicate', eventId: p.eventId };
        case 'conflict':
          return { status: 'conflict', eventId: p.eventId };
        case 'dup-new':
          return { status: 'duplicate', eventId: idOf(p.key) };
        case 'conflict-new':
          return { status: 'conflict', eventId: idOf(p.key) };
      }
    });
    return { outcomes, stored, recordedAt: at };
  });
}

/** Where a round's transaction runs when not on the main thread's own connection (the writer's worker thread). */
export interface RoundCommitter {
  /** False once it has given up (a thread that keeps dying): rounds then commit on the main thread's connection. */
  readonly usable: boolean;
  /** `recordedAt`: the main thread's time, used when the committer cannot read the same clock itself. */
  commit(events: readonly IncomingEvent[], hashes: readonly string[], origins: readonly RoundOrigin[], recordedAt: string): Promise<CommittedRound>;
  /** Gets ready for the first round ahead of it (a thread boots). */
  warm(): void;
  close(): Promise<void>;
}

/**
 * The events a round appended, from its outcomes: each event answered `accepted` is stored as it came, with its id and
 * the round's time (what eventsRepository.append returns), in id order. The writer's thread answers with outcomes
 * only, so a round's events cross between threads once, not twice.
 */
export function storedOf(events: readonly IncomingEvent[], outcomes: readonly AppendOutcome[], recordedAt: string): StoredEvent[] {
  const stored: StoredEvent[] = [];
  outcomes.forEach((o, i) => {
    if (o.status === 'accepted') stored.push({ ...events[i]!, eventId: o.eventId, ingestedAt: recordedAt } as StoredEvent);
  });
  return stored;
}
