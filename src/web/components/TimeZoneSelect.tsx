import { useMemo } from 'react';
import { inputCls } from './WindowFields.js';

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export const COMMON_ZONES = [
  'UTC',
  'Europe/London',
  'Europe/Berlin',
  'Europe/Paris',
  'America/New_York',
  'America/Chicago',
  'America/Los_Angeles',
  'America/Sao_Paulo',
  'Asia/Kolkata',
  'Asia/Singapore',
  'Asia/Tokyo',
  'Australia/Sydney',
];

/**
 * The zone that day and week buckets are cut in. The browser's own zone is the default, so choosing it clears the
 * URL parameter (`undefined`) and a shared link keeps following whoever opens it.
 */
export function TimeZoneSelect({ value, onChange }: { value: string; onChange: (tz: string | undefined) => void }) {
  const zones = useMemo(() => [...new Set([value, browserTimeZone(), ...COMMON_ZONES])], [value]);
  return (
    <label className="flex min-w-0 items-center gap-1.5 text-sm">
      <span className="text-muted">Time zone</span>
      <select
        name="tz"
        value={value}
        onChange={(e) => onChange(e.target.value === browserTimeZone() ? undefined : e.target.value)}
        className={`${inputCls} max-w-[12rem]`}
      >
        {zones.map((z) => (
          <option key={z} value={z}>
            {z}
          </option>
        ))}
      </select>
    </label>
  );
}
