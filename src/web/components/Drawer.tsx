import { useEffect, useId, useRef, type ReactNode } from 'react';
import { trapTab } from './focus-trap.js';

/**
 * A modal side drawer: a native <dialog> opened with showModal() (the rest of the page is inert, for screen readers
 * too), focus moves in and stays in (Tab wraps), Esc or Close closes it through `onClose` (the caller's state, often
 * the URL, decides whether it is open), and focus goes back to what opened it, or to the page's main landmark when
 * that is gone.
 */
export function Drawer({
  title,
  onClose,
  returnFocus,
  testId,
  children,
}: {
  title: string;
  onClose: () => void;
  returnFocus: HTMLElement | null;
  testId?: string;
  children: ReactNode;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (!d.open) d.showModal();
    closeButton.current?.focus();
    return () => {
      d.close();
      if (returnFocus?.isConnected) returnFocus.focus();
      else document.getElementById('main')?.focus();
    };
  }, [returnFocus]);
  return (
    <dialog
      ref={dialog}
      aria-labelledby={titleId}
      data-testid={testId}
      onKeyDown={(e) => trapTab(e, dialog.current)}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      className="fixed inset-y-0 right-0 left-auto m-0 h-dvh max-h-dvh w-full max-w-lg overflow-y-auto border-l border-border bg-surface p-0 text-fg shadow-xl backdrop:bg-black/40"
    >
      <div className="sticky top-0 z-10 flex items-center justify-between gap-3 border-b border-border bg-surface px-4 py-3">
        <h2 id={titleId} className="text-base font-semibold">
          {title}
        </h2>
        <button ref={closeButton} type="button" onClick={onClose} className="rounded border border-border px-2 py-1 text-sm hover:bg-surface-2">
          Close
        </button>
      </div>
      <div className="space-y-4 px-4 py-3">{children}</div>
    </dialog>
  );
}
