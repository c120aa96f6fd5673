import type { ReactNode } from 'react';
import { SLOS, type SloStatus } from '../../../contracts/index.js';
import { SloBadge } from './SloBadge.js';

export interface Figure {
  label: string;
  /** Formatted; null is shown as unavailable (missing data is never a zero). */
  value: string | null;
  id: string;
}

/** One SLI's section: its objective and state beside the current figures, then its chart(s) for the window. */
export function SliCard({
  id,
  title,
  slo,
  figures,
  note,
  children,
}: {
  id: string;
  title: string;
  slo?: SloStatus | undefined;
  figures: readonly Figure[];
  note?: ReactNode;
  children?: ReactNode;
}) {
  const def = slo ? SLOS[slo.key] : undefined;
  return (
    <section
      id={slo ? `slo-${slo.key}` : id}
      aria-labelledby={`${id}-title`}
      className="min-w-0 scroll-mt-4 rounded-md border border-border bg-surface p-4"
      data-testid="sli-card"
      data-sli={id}
      data-state={slo?.state}
    >
      <div className="flex flex-wrap items-center justify-between gap-x-3 gap-y-1">
        <h2 id={`${id}-title`} className="font-semibold">
          {title}
        </h2>
        {slo && <SloBadge state={slo.state} />}
      </div>
      {slo && def && (
        <div className="mt-1 text-sm">
          <p>
            <span className="text-muted">Objective:</span> {def.objective}
          </p>
          <p className="break-words" data-testid="slo-reason">
            <span className="text-muted">Now:</span> {slo.reason}
          </p>
          <details className="mt-1">
            <summary className="cursor-pointer text-muted hover:text-fg">Where the target comes from</summary>
            <p className="mt-1 break-words text-muted">{def.source}</p>
          </details>
        </div>
      )}
      <dl className="mt-3 grid grid-cols-2 gap-x-4 gap-y-2 sm:grid-cols-3">
        {figures.map((f) => (
          <div key={f.id} className="min-w-0" data-testid="sli-figure" data-figure={f.id} data-available={String(f.value !== null)}>
            <dt className="text-xs text-muted">{f.label}</dt>
            <dd className={`break-words font-semibold tabular-nums ${f.value === null ? 'text-muted' : ''}`}>{f.value ?? 'unavailable'}</dd>
          </div>
        ))}
      </dl>
      {note && <p className="mt-2 text-xs text-muted">{note}</p>}
      {children}
    </section>
  );
}
