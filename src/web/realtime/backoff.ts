/**
 * Exponential backoff with full jitter (AWS architecture blog): a uniformly random delay in [0, min(cap, base·2^n)],
 * so a crowd of clients reconnecting after a server restart spreads out instead of arriving in waves.
 */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
