import type { SeenIn, Status } from '../../../../contracts/index.js';
import type { CommitMeta } from './reader.js';

/** One status change of a story or epic, merged over every place it was seen. */
export interface TimelineEntry {
  key: string;
  /** The earliest time it was seen (a working-tree change before its commit keeps the working tree's time). */
  at: string;
  fromColumn: string | null;
  fromStatus: Status | null;
  column: string | null;
  status: Status;
  sourceStatus: string | null;
  seenIn: SeenIn;
  commit: CommitMeta | null;
  /** The status file whose change showed it. */
  path: string | null;
  /** Who made it, when the dashboard did (a user id); a commit names its author. */
  actorId: string | null;
}

export type Timelines = Record<string, TimelineEntry[]>;

const byTime = (a: TimelineEntry, b: TimelineEntry) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * Adds an observation to an entity's timeline: a key already there is the same transition seen again (its commit
 * arrived, or a rebase rewrote it): it keeps the earliest time and takes the commit (the latest commit time wins).
 * Returns the merged entry and whether anything changed.
 */
export function observe(timelines: Timelines, entity: string, e: TimelineEntry): { entry: TimelineEntry; changed: boolean } {
  const list = (timelines[entity] ??= []);
  const i = list.findIndex((x) => x.key === e.key);
  if (i < 0) {
    list.push(e);
    list.sort(byTime);
    return { entry: e, changed: true };
  }
  const old = list[i]!;
  const commit = !old.commit ? e.commit : !e.commit ? old.commit : e.commit.committedAt > old.commit.committedAt ? e.commit : old.commit;
  const merged: TimelineEntry = {
    ...old,
    at: e.at < old.at ? e.at : old.at,
    commit,
    seenIn: commit ? 'commit' : old.seenIn === 'dashboard' || e.seenIn === 'dashboard' ? 'dashboard' : old.seenIn,
    path: old.path ?? e.path,
    actorId: old.actorId ?? e.actorId,
  };
  const changed = merged.at !== old.at || merged.commit?.hash !== old.commit?.hash || merged.seenIn !== old.seenIn;
  list[i] = merged;
  list.sort(byTime);
  return { entry: merged, changed };
}
