import type { FormEvent, ReactNode } from 'react';

/** The centred card the signed-out screens share (sign in, choose your password): logo, title, one form. */
export function AuthCard({ id, title, onSubmit, children }: { id: string; title: string; onSubmit: (e: FormEvent) => void; children: ReactNode }) {
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <form onSubmit={onSubmit} className="w-full max-w-sm space-y-4 rounded-lg border border-border bg-surface p-6 shadow-sm" aria-labelledby={id}>
        <div className="flex items-center gap-2">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <h1 id={id} className="text-lg font-semibold">
            {title}
          </h1>
        </div>
        {children}
      </form>
    </main>
  );
}
