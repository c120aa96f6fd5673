import type { KeyboardCoordinateGetter } from '@dnd-kit/core';

/**
 * Arrow keys move a picked-up card a whole column at a time (the default moves it 25 px), so Space, Arrow, Space is
 * a complete keyboard move.
 */
export const columnJump: KeyboardCoordinateGetter = (event, { context }) => {
  const { collisionRect, droppableRects, droppableContainers } = context;
  if (!collisionRect || (event.code !== 'ArrowRight' && event.code !== 'ArrowLeft')) return undefined;
  event.preventDefault();
  const center = collisionRect.left + collisionRect.width / 2;
  const dir = event.code === 'ArrowRight' ? 1 : -1;
  let best: { left: number; width: number } | undefined;
  for (const container of droppableContainers.getEnabled()) {
    const rect = droppableRects.get(container.id);
    if (!rect) continue;
    const c = rect.left + rect.width / 2;
    if ((c - center) * dir <= 1) continue;
    if (!best || Math.abs(c - center) < Math.abs(best.left + best.width / 2 - center)) best = rect;
  }
  if (!best) return undefined;
  return { x: best.left + best.width / 2 - collisionRect.width / 2, y: collisionRect.top };
};
