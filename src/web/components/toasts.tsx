import { useSyncExternalStore } from 'react';

export interface Toast {
  id: number;
  tone: 'info' | 'error';
  text: string;
}

let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((fn) => fn());

/** Shows a short message in the corner; errors stay longer than news. */
export function toast(text: string, tone: Toast['tone'] = 'info'): void {
  const id = nextId++;
  toasts = [...toasts.slice(-3), { id, tone, text }];
  emit();
  setTimeout(() => dismiss(id), tone === 'error' ? 8000 : 4000);
}

function dismiss(id: number): void {
  toasts = toasts.filter((t) => t.id !== id);
  emit();
}

export function Toasts() {
  const list = useSyncExternalStore(
    (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    () => toasts,
  );
  return (
    <div aria-live="polite" className="pointer-events-none fixed bottom-4 right-4 z-50 flex max-w-[calc(100vw-2rem)] flex-col gap-2">
      {list.map((t) => (
        <div
          key={t.id}
          role={t.tone === 'error' ? 'alert' : 'status'}
          data-testid="toast"
          className={`pointer-events-auto flex items-start gap-3 rounded-md border px-4 py-2 text-sm shadow-lg ${t.tone === 'error' ? 'border-danger bg-danger-bg text-danger' : 'border-border bg-surface text-fg'}`}
        >
          <span>{t.text}</span>
          <button type="button" onClick={() => dismiss(t.id)} className="ml-auto text-muted hover:text-fg" aria-label="Dismiss">
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
