import type { ReactNode } from 'react';

/** A titled box of a detail page ("Workflows (12)", "Documents (first 200)"); the id names it for screen readers and tests. */
export function Panel({ title, id, count, truncated, children }: { title: string; id?: string; count?: number; truncated?: boolean; children: ReactNode }) {
  return (
    <section className="min-w-0 rounded-md border border-border bg-surface p-4" aria-labelledby={id} data-testid={id}>
      <h2 id={id} className="mb-3 font-semibold">
        {title} {count !== undefined && <span className="text-sm font-normal text-muted">({truncated ? `first ${count}` : count})</span>}
      </h2>
      {children}
    </section>
  );
}
