import { FieldError, inputCls, WindowFields } from '../../components/WindowFields.js';
import type { AnalyticsFilters, RangeErrors } from './analytics-params.js';

/** Window (24h/7d/30d/custom), the custom dates with their errors next to them, and the bucket size. */
export function RangeControls({ f, errors, set }: { f: AnalyticsFilters; errors: RangeErrors; set: (patch: Record<string, string | undefined>) => void }) {
  return (
    <>
      <WindowFields
        idPrefix="analytics"
        label="Range"
        window={f.window}
        start={f.start}
        end={f.end}
        errors={errors}
        startLabel="Start (UTC)"
        endLabel="End (UTC, exclusive)"
        set={set}
      />
      <div className="flex min-w-0 flex-col text-sm">
        <label className="flex min-w-0 items-center gap-1.5">
          <span className="text-muted">Per</span>
          <select
            name="bucket"
            value={f.bucket}
            onChange={(e) => set({ bucket: e.target.value })}
            aria-invalid={errors.bucket ? true : undefined}
            aria-describedby={errors.bucket ? 'analytics-bucket-error' : undefined}
            className={inputCls}
          >
            <option value="hour">Hour</option>
            <option value="day">Day</option>
          </select>
        </label>
        <FieldError id="analytics-bucket-error" testId="bucket-error" message={errors.bucket} />
      </div>
    </>
  );
}
