import { useCallback } from 'react';
import { useSearchParams } from 'react-router';
import { STATUSES, type Status } from '../../contracts/index.js';
import { statusLabel } from './StatusBadge.js';

/** Reads and writes list filters in the URL, so a filtered view can be reloaded and shared. */
export function readStatuses(params: URLSearchParams, allowed: readonly Status[] = STATUSES): Status[] {
  return (params.get('status') ?? '').split(',').filter((s): s is Status => (allowed as readonly string[]).includes(s));
}

export function StatusFilter({ value, onChange, options }: { value: readonly Status[]; onChange: (v: Status[]) => void; options: readonly Status[] }) {
  return (
    <fieldset className="flex flex-wrap items-center gap-1.5" data-testid="status-filter">
      <legend className="sr-only">Status</legend>
      {options.map((s) => {
        const on = value.includes(s);
        return (
          <label
            key={s}
            className={`cursor-pointer rounded-full border px-2.5 py-1 text-xs ${on ? 'border-accent bg-accent text-accent-fg' : 'border-border bg-surface text-fg hover:bg-surface-2'}`}
          >
            <input
              type="checkbox"
              className="sr-only"
              checked={on}
              onChange={() => onChange(on ? value.filter((x) => x !== s) : [...value, s])}
              name={`status-${s}`}
            />
            {statusLabel(s)}
          </label>
        );
      })}
    </fieldset>
  );
}

export function SelectFilter({
  label,
  value,
  onChange,
  options,
  name,
}: {
  label: string;
  name: string;
  value: string | undefined;
  onChange: (v: string | undefined) => void;
  options: { id: string; label: string }[];
}) {
  return (
    <label className="flex min-w-0 items-center gap-1.5 text-sm">
      <span className="text-muted">{label}</span>
      <select
        name={name}
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value || undefined)}
        className="min-w-0 max-w-[12rem] rounded border border-border bg-surface px-2 py-1 text-fg"
      >
        <option value="">All</option>
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.label}
          </option>
        ))}
        {value && !options.some((o) => o.id === value) && <option value={value}>{value}</option>}
      </select>
    </label>
  );
}

/** Applies a change to the URL's filters, resetting the page: a new filter starts at page 1. */
export function updateParams(params: URLSearchParams, patch: Record<string, string | undefined>): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined || v === '') next.delete(k);
    else next.set(k, v);
  }
  if (!('page' in patch)) next.delete('page');
  return next;
}

/**
 * A setter for URL filters. It builds on the URL as it is at the call, not as of the last render: two changes in
 * quick succession (a keyboard user, a busy machine) would otherwise each start from the same stale params and the
 * second would drop the first. BrowserRouter writes history synchronously, so `window.location` is always current.
 */
export function useParamSetter({ replace = false }: { replace?: boolean } = {}) {
  const [, setParams] = useSearchParams();
  return useCallback(
    (patch: Record<string, string | undefined>) => setParams(updateParams(new URLSearchParams(window.location.search), patch), { replace }),
    [setParams, replace],
  );
}

export function Pager({ page, pageSize, total, onPage }: { page: number; pageSize: number; total: number; onPage: (p: number) => void }) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages <= 1) return null;
  return (
    <nav aria-label="Pages" className="mt-4 flex items-center justify-center gap-3 text-sm">
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)} className="rounded border border-border px-3 py-1 disabled:opacity-50">
        Previous
      </button>
      <span>
        Page {page} of {pages}
      </span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)} className="rounded border border-border px-3 py-1 disabled:opacity-50">
        Next
      </button>
    </nav>
  );
}
