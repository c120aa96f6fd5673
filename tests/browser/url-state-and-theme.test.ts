import { describe, expect, it } from 'vitest';
import { ADMIN } from '../support/test-server.js';
import { browserWorkspace } from './support/fixture.js';
import { signedInContext } from './support/browser.js';

describe('web app: state that survives a reload', () => {
  const ws = browserWorkspace();

  it('keeps workflow filters in the URL: a reload (or a shared link) shows the same view', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN);
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/workflows`);
    await expect.poll(() => page.getByTestId('workflow-row').count()).toBe(6);
    await page.getByTestId('status-filter').getByText('Failed').click();
    await page.getByTestId('status-filter').getByText('Blocked').click();
    await page.locator('select[name=ownerId]').selectOption('u-linus');
    await page.waitForURL((u) => u.searchParams.get('status') === 'failed,blocked' && u.searchParams.get('ownerId') === 'u-linus');
    await expect
      .poll(() => page.getByTestId('workflow-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-workflow-id')).sort()))
      .toEqual(['w-3', 'w-4']);

    await page.reload();
    await expect
      .poll(() => page.getByTestId('workflow-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-workflow-id')).sort()))
      .toEqual(['w-3', 'w-4']);
    expect(await page.locator('input[name=status-failed]').isChecked()).toBe(true);
    expect(await page.locator('select[name=ownerId]').inputValue()).toBe('u-linus');

    // The same link opened elsewhere gives the same view.
    const other = await (await signedInContext(ws.browser, ws.t.url, ADMIN)).newPage();
    await other.goto(page.url());
    // A fresh context loads the app cold (no cached assets): on a loaded 2-core machine that takes longer than a reload.
    await expect.poll(() => other.getByTestId('workflow-row').count(), { timeout: 20_000 }).toBe(2);
    await other.context().close();

    await page.goto(`${ws.t.url}/projects?riskFlag=true`);
    await expect.poll(() => page.getByTestId('project-card').evaluateAll((c) => c.map((x) => x.getAttribute('data-project-id')))).toEqual(['p-billing']);
    await page.reload();
    await expect.poll(() => page.getByTestId('project-card').count()).toBe(1);
    await context.close();
  });

  it('applies a stored theme before any script of the app runs (no flash), and keeps the choice across reloads and browsers', async () => {
    const first = await signedInContext(ws.browser, ws.t.url, ADMIN, { colorScheme: 'light' });
    const page = await first.newPage();
    await page.goto(`${ws.t.url}/workflows`);
    await page.getByTestId('workflow-row').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/me/preferences') && r.request().method() === 'PUT');
    await page.getByTestId('theme-select').selectOption('dark');
    expect((await saved).status()).toBe(200);
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');

    // Reload with the app bundle blocked: the theme still comes up dark, so it cannot depend on React.
    await page.route('**/assets/*.js', (route) => route.abort());
    await page.reload();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe('rgb(13, 17, 23)');
    await page.unroute('**/assets/*.js');
    await page.reload();
    await page.getByTestId('workflow-row').first().waitFor();
    expect(await page.getByTestId('theme-select').inputValue()).toBe('dark');
    await first.close();

    // A new browser (empty storage, light system theme) follows the user's profile.
    const second = await signedInContext(ws.browser, ws.t.url, ADMIN, { colorScheme: 'light' });
    const again = await second.newPage();
    await again.goto(`${ws.t.url}/projects`);
    await again.getByTestId('project-card').first().waitFor();
    await expect.poll(() => again.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(await again.getByTestId('theme-select').inputValue()).toBe('dark');
    expect(await again.evaluate(() => localStorage.getItem('bmad-ops.theme'))).toBe('dark');
    await second.close();

    // With no choice made, the system preference rules.
    const fresh = await ws.browser.newContext({ colorScheme: 'dark' });
    const login = await fresh.newPage();
    await login.goto(`${ws.t.url}/login`);
    expect(await login.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await fresh.close();
  });
});
