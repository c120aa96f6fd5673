/** Bucket labels in the chosen time zone: "Nov 3" on the axis; "Tue, Nov 3, 2026" or "Week of Nov 3, 2026" in tooltips and tables. */
const cache = new Map<string, Intl.DateTimeFormat>();
function fmt(tz: string, long: boolean): Intl.DateTimeFormat {
  const key = `${tz}\u0000${long}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(
      undefined,
      long ? { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric', timeZone: tz } : { month: 'short', day: 'numeric', timeZone: tz },
    );
    cache.set(key, f);
  }
  return f;
}

export const bucketTick = (ms: number, tz: string) => fmt(tz, false).format(ms);

export function bucketLong(ms: number, bucket: 'day' | 'week', tz: string): string {
  const day = fmt(tz, true).format(ms);
  return bucket === 'week' ? `Week of ${day}` : day;
}

/** "ready-for-dev" → "Ready for dev", "InProgress" → "In progress": a BMAD column in words for a legend. */
export function columnWords(column: string): string {
  const words = column
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .split(/[-_\s]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase())
    .join(' ');
  return words ? words[0]!.toUpperCase() + words.slice(1) : column;
}

export const stories = (n: number) => `${n} ${n === 1 ? 'story' : 'stories'}`;
