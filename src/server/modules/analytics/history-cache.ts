import type { Executor } from '../../db/handle.js';
import { eventsRepository, retentionRepository, type StatusHistoryEntry } from '../events/data.js';

type EntityType = 'workflow' | 'story';

/**
 * The status histories the rollup re-derives facts from, kept between batches: a workflow that moves again is read
 * from the log only for the events after the ones already held, instead of from its first event on every batch (which
 * made the rollup's reads grow with the square of a busy workflow's history, on the thread ingestion runs on).
 *
 * Exact, not approximate: the rollup reads inside its write transaction, where no other writer can commit, so "every
 * status event of X up to the log's head" read now stays true; each entry remembers that head, and the next read asks
 * only for later ids. Events are never changed once written; the one thing that removes them is retention, so a change
 * of its pruned-through mark empties the cache (a fresh read would no longer see the pruned events).
 */
export class HistoryCache {
  private readonly entries = new Map<string, { through: number; history: StatusHistoryEntry[] }>();
  private pruned = -1;

  constructor(private readonly maxEntities = 20_000) {}

  async histories(trx: Executor, type: EntityType, ids: readonly string[]): Promise<Map<string, StatusHistoryEntry[]>> {
    const out = new Map<string, StatusHistoryEntry[]>();
    if (ids.length === 0) return out;
    const pruned = await retentionRepository.prunedThrough(trx);
    if (pruned !== this.pruned) {
      this.entries.clear();
      this.pruned = pruned;
    }
    const head = await eventsRepository.headEventId(trx);
    const key = (id: string) => `${type}\n${id}`;
    const held = ids.filter((id) => this.entries.has(key(id)));
    const missing = ids.filter((id) => !this.entries.has(key(id)));
    for (const [id, history] of await eventsRepository.statusHistories(trx, type, missing)) out.set(id, history);
    if (held.length > 0) {
      const since = new Map(held.map((id) => [id, this.entries.get(key(id))!.through]));
      // Most recently read first: when they fill several statements, each statement's lowest bound stays close.
      const stale = held.filter((id) => since.get(id)! < head).sort((a, b) => since.get(b)! - since.get(a)!);
      const later = stale.length > 0 ? await eventsRepository.statusHistories(trx, type, stale, since) : new Map<string, StatusHistoryEntry[]>();
      for (const id of held) {
        const entry = this.entries.get(key(id))!;
        const added = later.get(id) ?? [];
        out.set(id, added.length > 0 ? [...entry.history, ...added] : entry.history);
      }
    }
    for (const id of ids) {
      // Most recently used last, so the oldest entry is the first to go.
      this.entries.delete(key(id));
      this.entries.set(key(id), { through: head, history: out.get(id) ?? [] });
      if (!out.has(id)) out.set(id, []);
    }
    while (this.entries.size > this.maxEntities) this.entries.delete(this.entries.keys().next().value!);
    return out;
  }
}
