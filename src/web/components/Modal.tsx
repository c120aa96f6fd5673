import { useEffect, useId, useRef, type ReactNode } from 'react';
import { trapTab } from './focus-trap.js';
import { FormAlert } from './FormAlert.js';

/**
 * A centred modal dialog: a native <dialog> opened with showModal() (the page behind is inert, for screen readers too),
 * focus moves to the first field or button inside and stays in (Tab wraps), Esc closes it through `onClose`, and focus
 * returns to whatever was focused before it opened.
 */
export function Modal({ title, onClose, testId, children }: { title: string; onClose: () => void; testId?: string; children: ReactNode }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!d.open) d.showModal();
    d.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    return () => {
      d.close();
      if (opener?.isConnected) opener.focus();
      else document.getElementById('main')?.focus();
    };
  }, []);
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
      className="m-auto max-h-[calc(100dvh-2rem)] w-[calc(100vw-2rem)] max-w-lg overflow-y-auto rounded-lg border border-border bg-surface p-0 text-fg shadow-xl backdrop:bg-black/50"
    >
      <h2 id={titleId} className="border-b border-border px-4 py-3 text-base font-semibold">
        {title}
      </h2>
      <div className="space-y-4 px-4 py-4">{children}</div>
    </dialog>
  );
}

/** The buttons row at the bottom of a modal: the main action last (rightmost), stacked full-width on a phone. */
export function ModalActions({ children }: { children: ReactNode }) {
  return <div className="flex flex-col-reverse gap-2 pt-2 sm:flex-row sm:justify-end">{children}</div>;
}

export const buttonClass = {
  primary: 'rounded bg-accent px-3 py-1.5 text-sm font-semibold text-accent-fg hover:opacity-90 disabled:opacity-60',
  danger: 'rounded border border-danger bg-danger-bg px-3 py-1.5 text-sm font-semibold text-danger hover:opacity-90 disabled:opacity-60',
  secondary: 'rounded border border-border bg-surface px-3 py-1.5 text-sm hover:bg-surface-2 disabled:opacity-60',
} as const;

/** Asks before something that cannot be taken back (a revoke, a disable): the caller says what will happen. */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  busy,
  error,
  onConfirm,
  onClose,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busy: boolean;
  error?: string | null;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <Modal title={title} onClose={onClose} testId="confirm-dialog">
      <div className="space-y-2 text-sm">{children}</div>
      {error && <FormAlert>{error}</FormAlert>}
      <ModalActions>
        <button type="button" onClick={onClose} className={buttonClass.secondary} data-autofocus>
          Cancel
        </button>
        <button type="button" onClick={onConfirm} disabled={busy} className={buttonClass.danger}>
          {busy ? 'Working…' : confirmLabel}
        </button>
      </ModalActions>
    </Modal>
  );
}
