import type { ReactNode } from 'react';

/** On a phone each row is a stacked card with labels; from md up the same markup lines up as table columns. */
export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex min-w-0 gap-2 text-sm md:block">
      <span className="w-20 shrink-0 text-muted md:sr-only">{label}</span>
      <span className="min-w-0 truncate">{children}</span>
    </div>
  );
}
