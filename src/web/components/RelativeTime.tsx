import { useEffect, useMemo, useState } from 'react';

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const exact = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Infinity],
];

export function relative(ms: number, now: number): string {
  let delta = (ms - now) / 1000;
  if (Math.abs(delta) < 5) return 'just now';
  for (const [unit, size] of STEPS) {
    if (Math.abs(delta) < size) return rtf.format(Math.round(delta), unit);
    delta /= size;
  }
  return rtf.format(Math.round(delta), 'year');
}

export const formatExact = (iso: string | number) => exact.format(new Date(iso));

/** One shared ticker: every "3 min ago" on the page updates together, twice a minute. */
const listeners = new Set<(n: number) => void>();
let ticker: ReturnType<typeof setInterval> | undefined;
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    listeners.add(setNow);
    ticker ??= setInterval(() => {
      const n = Date.now();
      for (const fn of listeners) fn(n);
    }, 30_000);
    return () => {
      listeners.delete(setNow);
      if (listeners.size === 0) {
        clearInterval(ticker);
        ticker = undefined;
      }
    };
  }, []);
  return now;
}

/** "3 min ago", with the exact time on hover and for screen readers via <time datetime>. */
export function RelativeTime({ value, missing = 'unknown' }: { value: string | null | undefined; missing?: string }) {
  const now = useNow();
  // Intl formatting is the costliest part of a card; the hover text only changes with the value.
  const title = useMemo(() => (value ? formatExact(value) : ''), [value]);
  if (!value) return <span className="text-muted">{missing}</span>;
  const ms = Date.parse(value);
  return (
    <time dateTime={value} title={title}>
      {relative(ms, Math.max(now, Date.now()))}
    </time>
  );
}
