import type { ReactNode } from 'react';

/**
 * On a phone each row is a stacked card with labels; from md up the same markup lines up as table columns. The value
 * stays in its cell: one line, cut with an ellipsis, the full text on hover (`title`) and in the accessible text.
 */
export function Field({ label, title, children }: { label: string; title?: string | undefined; children: ReactNode }) {
  return (
    <div className="flex min-w-0 items-baseline gap-2 text-sm md:block">
      <span className="w-20 shrink-0 text-muted md:sr-only">{label}</span>
      <span className="block min-w-0 truncate" title={title}>
        {children}
      </span>
    </div>
  );
}
