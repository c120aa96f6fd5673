/** Unknown progress is said in words, never drawn as an empty (0 %) bar. */
export function ProgressBar({ pct }: { pct: number | null }) {
  if (pct === null) return <span className="text-sm text-muted">Progress unknown</span>;
  const v = Math.max(0, Math.min(100, pct));
  return (
    <div className="flex items-center gap-2">
      <div
        className="h-2 w-full min-w-16 overflow-hidden rounded bg-surface-2"
        role="progressbar"
        aria-valuenow={Math.round(v)}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-label="Progress"
      >
        <div className="h-full rounded bg-accent" style={{ width: `${v}%` }} />
      </div>
      <span className="w-10 text-right text-sm tabular-nums">{Math.round(v)}%</span>
    </div>
  );
}
