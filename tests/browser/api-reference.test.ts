import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ENDPOINTS } from '../../src/contracts/index.js';
import { ADMIN } from '../support/test-server.js';
import { DESKTOP, horizontalOverflow, PHONE, screenshot, signedInContext } from './support/browser.js';
import { browserWorkspace } from './support/fixture.js';

/** Issue 15: the API reference page renders the generated OpenAPI document, and its large viewer loads only there. */
const ws = browserWorkspace();

const VIEWER_CHUNK = /\/assets\/swagger-viewer-[^/]+\.js$/;

function watch(page: Page, baseUrl: string) {
  const seen = { viewerLoaded: false, outbound: [] as string[], errors: [] as string[] };
  page.on('request', (r) => {
    if (VIEWER_CHUNK.test(new URL(r.url()).pathname)) seen.viewerLoaded = true;
    if (!r.url().startsWith(baseUrl) && !r.url().startsWith('data:')) seen.outbound.push(r.url());
  });
  page.on('pageerror', (e) => seen.errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && seen.errors.push(m.text()));
  return seen;
}

describe('the API reference page', () => {
  it('lists every catalogue endpoint, calls nothing outside the server, and reads at 390 and 1440 px in both themes', async () => {
    for (const viewport of [PHONE, DESKTOP]) {
      for (const colorScheme of ['light', 'dark'] as const) {
        const ctx = await signedInContext(ws.browser, ws.t.url, ADMIN, { viewport, colorScheme });
        const page = await ctx.newPage();
        const seen = watch(page, ws.t.url);
        await page.goto(`${ws.t.url}/api-reference`);
        await page.locator('.swagger-ui .opblock').first().waitFor({ timeout: 30_000 });
        const shown = await page.locator('.swagger-ui .opblock').count();
        expect(shown).toBe(ENDPOINTS.length);
        await expect.poll(() => page.locator('.opblock-summary-path', { hasText: '/api/v1/costs/summary' }).count()).toBe(1);
        expect(seen.viewerLoaded).toBe(true);
        expect(seen.outbound).toEqual([]);
        expect(seen.errors).toEqual([]);
        expect((await horizontalOverflow(page)).offenders).toEqual([]);
        await screenshot(page, `api-reference-${viewport.width}-${colorScheme}`);
        await ctx.close();
      }
    }
  });

  it('keeps the viewer out of every other page, even after their idle prefetch', async () => {
    const ctx = await signedInContext(ws.browser, ws.t.url, ADMIN, { viewport: DESKTOP });
    const page = await ctx.newPage();
    const seen = watch(page, ws.t.url);
    await page.goto(`${ws.t.url}/workflows`);
    await page.waitForSelector('[data-testid=connection-indicator][data-state=live]');
    // The other pages' code is fetched in idle time; give it that time.
    await page.waitForTimeout(2500);
    expect(seen.viewerLoaded).toBe(false);
    await page.getByRole('link', { name: 'API', exact: true }).click();
    await page.locator('.swagger-ui .opblock').first().waitFor({ timeout: 30_000 });
    expect(seen.viewerLoaded).toBe(true);
    await ctx.close();
  });
});
