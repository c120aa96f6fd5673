import type { ReactNode } from 'react';

/** Why a form was refused, announced to screen readers as it appears. */
export function FormAlert({ children }: { children: ReactNode }) {
  return (
    <p role="alert" className="rounded border border-danger bg-danger-bg px-3 py-2 text-sm text-danger">
      {children}
    </p>
  );
}
