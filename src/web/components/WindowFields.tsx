const inputCls = 'min-w-0 rounded border border-border bg-surface px-2 py-1 text-fg';

function FieldError({ id, testId, message }: { id: string; testId: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <span id={id} data-testid={testId} className="text-danger">
      {message}
    </span>
  );
}

export interface WindowFieldsProps {
  /** Prefix of the error ids, unique on the page (aria-describedby points at them). */
  idPrefix: string;
  label: string;
  window: string;
  start: string | undefined;
  end: string | undefined;
  errors: { start?: string | undefined; end?: string | undefined };
  startLabel?: string;
  endLabel?: string;
  set: (patch: Record<string, string | undefined>) => void;
}

/**
 * The window picker shared by the cost and analytics pages: a preset (24 h, 7 d, 30 d) or a custom range of dates,
 * with each date's validation message next to it (and tied to it for screen readers).
 */
export function WindowFields({ idPrefix, label, window, start, end, errors, startLabel = 'Start', endLabel = 'End', set }: WindowFieldsProps) {
  const custom = window === 'custom';
  const date = (name: 'start' | 'end', text: string, value: string | undefined, error: string | undefined) => (
    <div className="flex min-w-0 flex-col text-sm">
      <label className="flex items-center gap-1.5">
        <span className="text-muted">{text}</span>
        <input
          type="date"
          name={name}
          value={value ?? ''}
          onChange={(e) => set({ [name]: e.target.value || undefined })}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${idPrefix}-${name}-error` : undefined}
          className={inputCls}
        />
      </label>
      <FieldError id={`${idPrefix}-${name}-error`} testId={`${name}-error`} message={error} />
    </div>
  );
  return (
    <>
      <label className="flex min-w-0 items-center gap-1.5 text-sm">
        <span className="text-muted">{label}</span>
        <select
          name="window"
          value={window}
          // A preset carries no dates.
          onChange={(e) => set({ window: e.target.value, ...(e.target.value === 'custom' ? {} : { start: undefined, end: undefined }) })}
          className={inputCls}
        >
          <option value="24h">Last 24 hours</option>
          <option value="7d">Last 7 days</option>
          <option value="30d">Last 30 days</option>
          <option value="custom">Custom range</option>
        </select>
      </label>
      {custom && (
        <>
          {date('start', startLabel, start, errors.start)}
          {date('end', endLabel, end, errors.end)}
        </>
      )}
    </>
  );
}

export { FieldError, inputCls };
