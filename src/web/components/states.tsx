import type { ReactNode } from 'react';
import { ApiError } from '../api/http.js';

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="py-8 text-center text-muted">
      Loading {what}…
    </p>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const message = error instanceof ApiError ? `${error.message} (${error.status || 'offline'})` : 'something went wrong';
  return (
    <div role="alert" className="my-4 rounded-md border border-danger bg-danger-bg px-4 py-3 text-sm text-danger">
      Could not load: {message}.
      {onRetry && (
        <button type="button" onClick={onRetry} className="ml-2 underline">
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="rounded-md border border-dashed border-border px-4 py-8 text-center text-muted">{children}</p>;
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
      <h1 className="text-xl font-semibold">{title}</h1>
      {children}
    </div>
  );
}
