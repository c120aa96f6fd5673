import { useEffect, useState } from 'react';

/** Cards per column in the first render: more than a tall screen shows, so the first paint is the finished view. */
export const FIRST_CARDS_PER_COLUMN = 30;
/** Cards mounted per step after that, across all columns: one step is a short task, so input is never held up. */
export const CARDS_PER_STEP = 240;

/**
 * How many cards each column renders. A 2,000-card board mounts in React's one commit in about 300 ms (DOM creation
 * of some 25,000 elements); the screenful comes first and the rest follows a step per frame, so the board is on
 * screen in a fraction of that and every card is in the page (for find-in-page and the keyboard) a moment later.
 * The limit only grows: a live update never unmounts a card that is already shown.
 */
export function useProgressiveCards(columnSizes: readonly number[]): number {
  const [limit, setLimit] = useState(FIRST_CARDS_PER_COLUMN);
  const pending = columnSizes.filter((n) => n > limit).length;
  useEffect(() => {
    if (pending === 0) return;
    const step = Math.max(10, Math.ceil(CARDS_PER_STEP / pending));
    // After the frame that shows the current cards has painted, not before: rAF, then a task.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => setLimit((l) => l + step), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [limit, pending]);
  return limit;
}
