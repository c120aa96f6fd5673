/** Words for alert messages: they are read in Slack, in a webhook receiver's log and in the bell, so they say it plainly. */

/** "45 s", "17 min", "3 h 5 min", "2 d 4 h". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}

/** "2026-11-29 08:05 UTC": messages leave the app, where nobody's time zone is known. */
export function utc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

const STATUS_WORDS: Readonly<Record<string, string>> = {
  queued: 'queued',
  in_progress: 'in progress',
  blocked: 'blocked',
  failed: 'failed',
  done: 'done',
  canceled: 'canceled',
};
export const statusWord = (s: string | null) => (s ? (STATUS_WORDS[s] ?? s) : 'of unknown status');

/** "“dev-story 1.2” in Streakly" — a run by its name, with its project when it has one. */
export function runLabel(name: string, projectName: string | null): string {
  return projectName ? `“${name}” in ${projectName}` : `“${name}”`;
}

/** Cuts text to `max` characters, marking the cut. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(value >= 10_000 ? 0 : 1)} s` : `${Math.round(value)} ms`;
}
