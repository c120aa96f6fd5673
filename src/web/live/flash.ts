import { useEffect, useRef, useSyncExternalStore } from 'react';

/** Counts live changes per entity id, so a row can flash each time an event touches it. */
class FlashStore {
  private readonly counts = new Map<string, number>();
  private readonly listeners = new Set<() => void>();

  mark(ids: Iterable<string>): void {
    let any = false;
    for (const id of ids) {
      this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
      any = true;
    }
    if (any) for (const fn of this.listeners) fn();
  }

  count(id: string): number {
    return this.counts.get(id) ?? 0;
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };
}

export const flashStore = new FlashStore();

/** Flash animations running at once, and the most there may be. */
let running = 0;
const MAX_RUNNING = 24;

/** Returns a ref to attach to the element that should briefly highlight when the entity changes live. */
export function useFlash<T extends HTMLElement>(id: string) {
  const ref = useRef<T>(null);
  const count = useSyncExternalStore(flashStore.subscribe, () => flashStore.count(id));
  useEffect(() => {
    if (count === 0 || !ref.current) return;
    ref.current.dataset.flashed = String(count);
    if (window.matchMedia('(prefers-reduced-motion: reduce)').matches || running >= MAX_RUNNING) return;
    // Background colour is repainted every frame: at 50 events/s a board would otherwise keep ~125 cards repainting.
    // Past MAX_RUNNING a change is still marked (data-flashed), it just does not flash: nobody reads 30 flashes at once.
    const animation = ref.current.animate([{ backgroundColor: 'var(--highlight)' }, { backgroundColor: 'transparent' }], {
      duration: 2500,
      easing: 'ease-out',
    });
    running++;
    let counted = true;
    const done = () => {
      if (counted) running--;
      counted = false;
    };
    animation.addEventListener('finish', done, { once: true });
    animation.addEventListener('cancel', done, { once: true });
  }, [count]);
  return ref;
}
