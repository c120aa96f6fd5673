/** Lengths of time for people: "under a minute", "42 min", "5 h 12 min", "2 d 4 h". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return 'unknown';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** A cycle time given in hours: "36 h" up to two days, then days with one decimal ("4.2 d"). */
export function formatHours(h: number): string {
  if (!Number.isFinite(h)) return 'unknown';
  if (h === 0) return '0';
  if (h < 1) return `${Math.round(h * 60)} min`;
  if (h < 48) return `${Number.isInteger(h) ? h : h.toFixed(1)} h`;
  const days = h / 24;
  return `${Number.isInteger(days) ? days : days.toFixed(1)} d`;
}
