import { useEffect, useId, useRef, useState } from 'react';
import { STATUS_MODEL, type Status, type Story } from '../../../contracts/index.js';
import { statusLabel } from '../../components/StatusBadge.js';

/** The keyboard (and touch) way to move a card: a button that lists only the moves the status model allows. */
export function MoveMenu({ story, onMove }: { story: Story; onMove: (to: Status) => void }) {
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const first = useRef<HTMLButtonElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const targets = story.status ? (STATUS_MODEL.story.transitions[story.status] ?? []) : STATUS_MODEL.story.statuses;
  useEffect(() => {
    if (open) first.current?.focus();
  }, [open]);
  if (targets.length === 0) return null;
  const close = () => {
    setOpen(false);
    trigger.current?.focus();
  };
  return (
    <div className="relative" onKeyDown={(e) => e.key === 'Escape' && open && (e.stopPropagation(), close())}>
      <button
        ref={trigger}
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={menuId}
        aria-label={`Move ${story.title ?? story.id}`}
        onPointerDown={(e) => e.stopPropagation()}
        onClick={() => setOpen((o) => !o)}
        className="rounded border border-border px-1.5 py-0.5 text-xs text-muted hover:bg-surface-2 hover:text-fg"
      >
        Move
      </button>
      {open && (
        <div id={menuId} role="menu" className="absolute right-0 z-20 mt-1 w-40 rounded-md border border-border bg-surface py-1 shadow-lg">
          {targets.map((to, i) => (
            <button
              key={to}
              ref={i === 0 ? first : undefined}
              type="button"
              role="menuitem"
              onPointerDown={(e) => e.stopPropagation()}
              onClick={() => {
                close();
                onMove(to);
              }}
              onKeyDown={(e) => {
                if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
                e.preventDefault();
                const items = [...(e.currentTarget.parentElement?.querySelectorAll<HTMLButtonElement>('[role=menuitem]') ?? [])];
                const at = items.indexOf(e.currentTarget);
                items[(at + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length]?.focus();
              }}
              className="block w-full px-3 py-1.5 text-left text-sm hover:bg-surface-2 focus:bg-surface-2"
            >
              {statusLabel(to)}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
