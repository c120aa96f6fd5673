import { describe, expect, it } from 'vitest';
import { FIRST_CARDS_PER_COLUMN } from '../../src/web/pages/kanban/use-progressive-cards.js';
import { at, projectUpserted, storyStatusChanged, storyUpserted } from '../support/events.js';
import { ingestAccepted } from '../support/ingest.js';
import { signedInContext } from './support/browser.js';
import { browserWorkspace } from './support/fixture.js';

const VIEWER = { email: 'vera@example.test', password: 'viewer password 1' };
const QUEUED = 600;

// A big board shows a screenful per column first and mounts the rest a step per frame: every card must still end up
// in the page, in order, and a live change during the mount must not lose or duplicate a card.
describe('web app: a big board', () => {
  const ws = browserWorkspace({
    setup: async (t) => {
      await t.server.core.auth.createUser({ ...VIEWER, role: 'viewer', displayName: 'Vera Viewer' }, { actorType: 'system', actorId: null });
      const stories = Array.from({ length: QUEUED }, (_, i) =>
        storyUpserted(`big-${String(i).padStart(3, '0')}`, 'p-huge', { title: `Huge story ${i}`, status: 'queued' }, { occurredAt: at(1) }),
      );
      await ingestAccepted(t, [projectUpserted('p-huge', { name: 'Huge', status: 'in_progress' }), ...stories]);
    },
  });

  it('shows the first cards at once and every card soon after, in order, through a live change', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, VIEWER);
    const page = await context.newPage();
    // Counts of cards in the queued column at each of the first commits (a MutationObserver, before any paint).
    await page.addInitScript(() => {
      const w = window as unknown as { counts: number[] };
      w.counts = [];
      new MutationObserver(() => {
        const n = document.querySelectorAll('[data-column=queued] [data-testid=kanban-card]').length;
        if (n > 0 && w.counts.at(-1) !== n) w.counts.push(n);
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(`${ws.t.url}/kanban?projectId=p-huge`);
    await page.waitForSelector('[data-testid=connection-indicator][data-state=live]');
    // A live move out of the column while the rest of it may still be mounting.
    await ingestAccepted(ws.t, [storyStatusChanged('big-000', 'in_progress', 'queued', { occurredAt: at(2) })]);
    const queued = page.locator('[data-column=queued] [data-testid=kanban-card]');
    await expect.poll(() => queued.count(), { timeout: 10_000 }).toBe(QUEUED - 1);
    expect(await page.getByTestId('column-more').count()).toBe(0);
    const counts = await page.evaluate(() => (window as unknown as { counts: number[] }).counts);
    expect(counts[0]).toBe(FIRST_CARDS_PER_COLUMN);
    expect(counts.length).toBeGreaterThan(2);
    const ids = await queued.evaluateAll((els) => els.map((e) => e.getAttribute('data-story-id')));
    expect(ids).toEqual(Array.from({ length: QUEUED - 1 }, (_, i) => `big-${String(i + 1).padStart(3, '0')}`));
    expect(await page.locator('[data-column=in_progress] [data-story-id=big-000]').count()).toBe(1);
    expect(await page.getByTestId('column-count').first().textContent()).toBe(String(QUEUED - 1));
    await context.close();
  });
});
