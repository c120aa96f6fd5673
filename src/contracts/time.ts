/**
 * Durations and the UTC ISO helpers the server and the browser share: one definition of a day, an hour and of how an
 * instant is cut to its UTC day. Instants are `toISOString()` strings (fixed width, UTC), so slicing is exact.
 */

export const SECOND_MS = 1_000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
export const WEEK_MS = 7 * DAY_MS;

/** The UTC calendar day of an ISO instant, `2024-05-01`. */
export function isoDayOf(iso: string): string {
  return iso.slice(0, 10);
}

/** The start of the UTC day of an ISO instant, `2024-05-01T00:00:00.000Z`. */
export function utcDayStartIso(iso: string): string {
  return `${isoDayOf(iso)}T00:00:00.000Z`;
}
