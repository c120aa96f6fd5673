import { useEffect, useId, useRef, useState, type ReactNode, type RefObject } from 'react';

export interface MultiOption {
  id: string;
  label: string;
  /** A second line under the label (unit, direction, definition). */
  detail?: ReactNode;
  /** Shown on hover. */
  title?: string;
}

/** Closes the open panel on a click outside `root`, or on Esc (focus then goes back to `button`). */
function useDismiss(open: boolean, setOpen: (open: boolean) => void, root: RefObject<HTMLDivElement | null>, button: RefObject<HTMLButtonElement | null>) {
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpen(false);
        button.current?.focus();
      }
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open, setOpen, root, button]);
}

/** The open panel: a filter box when the list is long, a checkbox per option, and a way back to no choice. */
function MultiSelectPanel({
  panelId,
  filter,
  setFilter,
  label,
  name,
  all,
  value,
  onChange,
  noneLabel,
  minOne,
}: {
  panelId: string;
  filter: string;
  setFilter: (filter: string) => void;
  label: string;
  name: string;
  all: readonly MultiOption[];
  value: readonly string[];
  onChange: (next: string[]) => void;
  noneLabel: string;
  minOne: boolean;
}) {
  const shown = filter ? all.filter((o) => o.label.toLowerCase().includes(filter.toLowerCase()) || o.id.toLowerCase().includes(filter.toLowerCase())) : all;
  const toggle = (id: string) => {
    const on = value.includes(id);
    if (on && minOne && value.length === 1) return;
    onChange(on ? value.filter((v) => v !== id) : [...value, id]);
  };
  return (
    <div id={panelId} className="absolute left-0 z-20 mt-1 w-[min(22rem,calc(100vw-2rem))] rounded-md border border-border bg-surface p-2 shadow-lg">
      {all.length > 8 && (
        <label className="mb-2 block">
          <span className="sr-only">Filter {label.toLowerCase()}</span>
          <input
            type="search"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            placeholder={`Filter ${label.toLowerCase()}…`}
            className="w-full rounded border border-border bg-surface px-2 py-1 text-fg"
          />
        </label>
      )}
      <fieldset>
        <legend className="sr-only">{label}</legend>
        <ul className="max-h-72 space-y-0.5 overflow-y-auto">
          {shown.map((o) => (
            <li key={o.id}>
              <label className="flex cursor-pointer gap-2 rounded px-1.5 py-1 hover:bg-surface-2" title={o.title}>
                <input
                  type="checkbox"
                  name={`${name}-${o.id}`}
                  value={o.id}
                  checked={value.includes(o.id)}
                  onChange={() => toggle(o.id)}
                  className="mt-0.5 shrink-0"
                />
                <span className="min-w-0">
                  <span className="block break-words">{o.label}</span>
                  {o.detail && <span className="block text-xs text-muted">{o.detail}</span>}
                </span>
              </label>
            </li>
          ))}
          {shown.length === 0 && <li className="px-1.5 py-1 text-muted">Nothing matches.</li>}
        </ul>
      </fieldset>
      {value.length > 0 && !minOne && (
        <button type="button" onClick={() => onChange([])} className="mt-2 text-xs text-muted underline hover:text-fg">
          Clear: {noneLabel}
        </button>
      )}
    </div>
  );
}

/**
 * A multi-select as a disclosure of checkboxes: native controls (keyboard and screen readers for free), a filter box
 * when the list is long, closed by Esc or a click elsewhere. The button says what is chosen, so the closed control
 * still tells the whole selection.
 */
export function MultiSelect({
  label,
  name,
  options,
  value,
  onChange,
  noneLabel,
  minOne = false,
  testId,
}: {
  label: string;
  name: string;
  options: readonly MultiOption[];
  value: readonly string[];
  onChange: (next: string[]) => void;
  /** What an empty selection means (e.g. "every agent with data"). */
  noneLabel: string;
  /** At least one must stay chosen (the last box cannot be cleared). */
  minOne?: boolean;
  testId: string;
}) {
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState('');
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const panelId = useId();
  useDismiss(open, setOpen, root, button);
  // Ids in the URL that are not among the options (an agent not in the directory yet) stay visible and removable.
  const all = [...options, ...value.filter((v) => !options.some((o) => o.id === v)).map((id) => ({ id, label: id }) as MultiOption)];
  const chosen = all.filter((o) => value.includes(o.id));
  const summary = chosen.length === 0 ? noneLabel : chosen.length <= 2 ? chosen.map((o) => o.label).join(', ') : `${chosen.length} selected`;
  return (
    <div ref={root} className="relative min-w-0 text-sm" data-testid={testId}>
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
        className="flex max-w-full min-w-0 items-center gap-1.5 rounded border border-border bg-surface px-2 py-1 text-left text-fg hover:bg-surface-2"
      >
        <span className="text-muted">{label}</span>
        <span className="min-w-0 truncate font-medium" data-testid={`${testId}-summary`} title={summary}>
          {summary}
        </span>
        <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <MultiSelectPanel
          panelId={panelId}
          filter={filter}
          setFilter={setFilter}
          label={label}
          name={name}
          all={all}
          value={value}
          onChange={onChange}
          noneLabel={noneLabel}
          minOne={minOne}
        />
      )}
    </div>
  );
}
