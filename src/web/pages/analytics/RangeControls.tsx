import type { AnalyticsFilters, RangeErrors } from './analytics-params.js';

const inputCls = 'min-w-0 rounded border border-border bg-surface px-2 py-1 text-fg';

function FieldError({ id, testId, message }: { id: string; testId: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <span id={id} data-testid={testId} className="text-danger">
      {message}
    </span>
  );
}

/** Window (24h/7d/30d/custom), the custom dates with their errors next to them, and the bucket size. */
export function RangeControls({ f, errors, set }: { f: AnalyticsFilters; errors: RangeErrors; set: (patch: Record<string, string | undefined>) => void }) {
  const custom = f.window === 'custom';
  return (
    <>
      <label className="flex min-w-0 items-center gap-1.5 text-sm">
        <span className="text-muted">Range</span>
        <select
          name="window"
          value={f.window}
          // A preset carries no dates; the bucket follows the window unless someone chose one.
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
          <div className="flex min-w-0 flex-col text-sm">
            <label className="flex items-center gap-1.5">
              <span className="text-muted">Start (UTC)</span>
              <input type="date" name="start" value={f.start ?? ''} onChange={(e) => set({ start: e.target.value || undefined })} aria-invalid={errors.start ? true : undefined} aria-describedby={errors.start ? 'analytics-start-error' : undefined} className={inputCls} />
            </label>
            <FieldError id="analytics-start-error" testId="start-error" message={errors.start} />
          </div>
          <div className="flex min-w-0 flex-col text-sm">
            <label className="flex items-center gap-1.5">
              <span className="text-muted">End (UTC, exclusive)</span>
              <input type="date" name="end" value={f.end ?? ''} onChange={(e) => set({ end: e.target.value || undefined })} aria-invalid={errors.end ? true : undefined} aria-describedby={errors.end ? 'analytics-end-error' : undefined} className={inputCls} />
            </label>
            <FieldError id="analytics-end-error" testId="end-error" message={errors.end} />
          </div>
        </>
      )}
      <div className="flex min-w-0 flex-col text-sm">
        <label className="flex min-w-0 items-center gap-1.5">
          <span className="text-muted">Per</span>
          <select name="bucket" value={f.bucket} onChange={(e) => set({ bucket: e.target.value })} aria-invalid={errors.bucket ? true : undefined} aria-describedby={errors.bucket ? 'analytics-bucket-error' : undefined} className={inputCls}>
            <option value="hour">Hour</option>
            <option value="day">Day</option>
          </select>
        </label>
        <FieldError id="analytics-bucket-error" testId="bucket-error" message={errors.bucket} />
      </div>
    </>
  );
}
