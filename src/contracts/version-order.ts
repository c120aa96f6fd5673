import { z } from 'zod';

/**
 * The "newest wins" order of events, one rule for the server's projections and the browser's live folds, so both
 * settle on the same row whatever order they saw the events in.
 *
 * Instants are compared as strings, never parsed: every instant an event or a read model carries went through
 * instantSchema, whose `toISOString()` form (fixed width, UTC) sorts as text exactly as it does in time, and the
 * server has always compared it that way.
 */

/** Where an event, or the row built from it, sits in that order: occurredAt, then the sender's identity of the event. */
export const versionStampSchema = z.object({ at: z.string(), key: z.string() });
export type VersionStamp = z.infer<typeof versionStampSchema>;

/** A row that no event has written yet (or that came from a server not saying) has neither. */
export type HeldVersion = { at: string | null; key: string | null };

/** A deterministic tie-break, unique per event: the same event always gets the same key, wherever it is folded. */
export function versionKeyOf(e: { source: string; sourceEventId: string }): string {
  return `${e.source}\n${e.sourceEventId}`;
}

export function versionOfEvent(e: { occurredAt: string; source: string; sourceEventId: string }): VersionStamp {
  return { at: e.occurredAt, key: versionKeyOf(e) };
}

export function isNewerVersion(candidate: VersionStamp, current: HeldVersion): boolean {
  if (current.at === null || current.key === null) return true;
  if (candidate.at !== current.at) return candidate.at > current.at;
  return candidate.key > current.key;
}

/** For sorting oldest first: the order in which isNewerVersion lets each event win over the ones before it. */
export function compareVersions(a: VersionStamp, b: VersionStamp): number {
  return isNewerVersion(a, b) ? 1 : isNewerVersion(b, a) ? -1 : 0;
}

/** The latest of some instants ('' when none), compared as the rule compares them. */
export function maxInstant(...values: (string | null | undefined)[]): string {
  let best = '';
  for (const v of values) if (v && v > best) best = v;
  return best;
}

/** The earliest of some instants ('' when none). */
export function minInstant(...values: (string | null | undefined)[]): string {
  let best: string | undefined;
  for (const v of values) if (v && (best === undefined || v < best)) best = v;
  return best ?? '';
}
