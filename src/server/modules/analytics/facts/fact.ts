import { HOUR_MS } from '../../../../contracts/time.js';

/** What one workflow or story contributed to one series at one instant, and the events it was derived from. */
export interface Fact {
  kpi: string;
  at: string;
  num: number;
  den: number | null;
  sample: number | null;
  eventIds: number[];
}

/** One event of an entity's history, reduced to what the facts need. */
export interface HistoryEntry {
  eventId: number;
  at: string;
  status: string;
  /** Stories: the board column the source reported (BMAD's "review"), when the event carries one. */
  column?: string | null;
}

export function hoursBetween(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / HOUR_MS;
}

/** History in the order things happened: occurredAt, then arrival (event id) for events at the same instant. */
export function chronological<T extends HistoryEntry>(entries: readonly T[]): T[] {
  return [...entries].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.eventId - b.eventId));
}
