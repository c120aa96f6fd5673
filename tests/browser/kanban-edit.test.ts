import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { login, seriousA11yViolations, signedInContext } from './support/browser.js';
import { browserWorkspace } from './support/fixture.js';

const OPERATOR = { email: 'olga@example.test', password: 'operator password 1' };
const VIEWER = { email: 'victor@example.test', password: 'viewer password 1' };

const columnOf = (page: Page, storyId: string) =>
  page
    .locator(`[data-testid=kanban-card][data-story-id="${storyId}"]`)
    .evaluate((el) => el.closest('[data-testid=kanban-column]')?.getAttribute('data-column') ?? null);

async function drag(page: Page, storyId: string, toColumn: string): Promise<void> {
  const card = await page.locator(`[data-testid=kanban-card][data-story-id="${storyId}"]`).boundingBox();
  const target = await page.locator(`[data-testid=kanban-column][data-column="${toColumn}"]`).boundingBox();
  if (!card || !target) throw new Error('card or column not on screen');
  await page.mouse.move(card.x + 20, card.y + 10);
  await page.mouse.down();
  await page.mouse.move(card.x + 40, card.y + 20, { steps: 5 });
  await page.mouse.move(target.x + target.width / 2, target.y + 60, { steps: 15 });
  await page.mouse.up();
}

describe('web app: editable Kanban', () => {
  const ws = browserWorkspace({
    config: { kanbanEditable: true },
    setup: async (t) => {
      const actor = { actorType: 'system' as const, actorId: null };
      await t.server.core.auth.createUser({ ...OPERATOR, role: 'operator', displayName: 'Olga Operator' }, actor);
      await t.server.core.auth.createUser({ ...VIEWER, role: 'viewer', displayName: 'Victor Viewer' }, actor);
    },
  });

  it('an operator drags a card to another column; it stays after a reload, and another browser sees it move live', async () => {
    const watcherCtx = await signedInContext(ws.browser, ws.t.url, VIEWER);
    const watcher = await watcherCtx.newPage();
    await watcher.goto(`${ws.t.url}/kanban?projectId=p-checkout`);
    await watcher.getByTestId('kanban-card').first().waitFor();
    await watcher.waitForSelector('[data-testid=connection-indicator][data-state=live]');

    const context = await signedInContext(ws.browser, ws.t.url, OPERATOR);
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/kanban?projectId=p-checkout`);
    await page.getByTestId('kanban-card').first().waitFor();
    expect(await page.getByTestId('board-mode').textContent()).toContain('Editable');
    // The editable board has more controls (drag handles, Move menus) than the read-only one the page scan sees.
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(await columnOf(page, 's-1')).toBe('queued');

    const patched = page.waitForResponse((r) => r.url().includes('/api/v1/stories/s-1/status') && r.request().method() === 'PATCH');
    await drag(page, 's-1', 'in_progress');
    expect((await patched).status()).toBe(200);
    expect(await columnOf(page, 's-1')).toBe('in_progress');

    await expect.poll(() => columnOf(watcher, 's-1'), { timeout: 3000 }).toBe('in_progress');
    await page.reload();
    await page.getByTestId('kanban-card').first().waitFor();
    expect(await columnOf(page, 's-1')).toBe('in_progress');
    await watcherCtx.close();
    await context.close();
  });

  it('moves a card with the keyboard only, through its Move menu', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, OPERATOR);
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/kanban?projectId=p-checkout`);
    const moveButton = page.getByRole('button', { name: 'Move Guest checkout', exact: true });
    await moveButton.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menu').waitFor();
    // Focus lands on the first allowed target; arrows walk the list.
    const items = await page.getByRole('menuitem').allTextContents();
    expect(items).toEqual(['In progress', 'Blocked', 'Done', 'Canceled']);
    const patched = page.waitForResponse((r) => r.url().includes('/api/v1/stories/s-2/status'));
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    expect((await patched).status()).toBe(200);
    expect(await columnOf(page, 's-2')).toBe('blocked');
    await context.close();
  });

  it('rolls an optimistic move back, with a message, when the server refuses it', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, OPERATOR);
    const page = await context.newPage();
    await page.route('**/api/v1/stories/*/status', (route) =>
      route.fulfill({
        status: 409,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'status_conflict', message: 'the story moved to done meanwhile' } }),
      }),
    );
    await page.goto(`${ws.t.url}/kanban?projectId=p-checkout`);
    await page.getByTestId('kanban-card').first().waitFor();
    expect(await columnOf(page, 's-4')).toBe('in_progress');
    await drag(page, 's-4', 'done');
    await expect.poll(() => page.getByTestId('toast').textContent()).toContain('someone else moved it first');
    expect(await columnOf(page, 's-4')).toBe('in_progress');
    await context.close();
  });

  it('a viewer cannot move cards: the UI offers no drag or Move, and the API answers 403', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, VIEWER);
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/kanban?projectId=p-checkout`);
    await page.getByTestId('kanban-card').first().waitFor();
    expect(await page.getByTestId('board-mode').textContent()).toBe('Read-only for your role');
    expect(await page.getByRole('button', { name: /^Move / }).count()).toBe(0);
    expect(await page.locator('[aria-roledescription="draggable card"]').count()).toBe(0);
    const before = await columnOf(page, 's-3');
    await drag(page, 's-3', 'done');
    expect(await columnOf(page, 's-3')).toBe(before);

    const token = await login(ws.t.url, VIEWER.email, VIEWER.password);
    const res = await fetch(`${ws.t.url}/api/v1/stories/s-3/status`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to: 'done', from: 'in_progress' }),
    });
    expect(res.status).toBe(403);
    await context.close();
  });
});
