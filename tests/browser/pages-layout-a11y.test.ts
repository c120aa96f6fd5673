import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ADMIN } from '../support/test-server.js';
import { browserWorkspace } from './support/fixture.js';
import { DESKTOP, horizontalOverflow, PHONE, screenshot, seriousA11yViolations, signedInContext } from './support/browser.js';
import { textOverflows } from './support/text-overflow.js';

/** Every page of the app, with what proves it finished rendering. */
const PAGES: { name: string; path: string; ready: (page: Page) => Promise<unknown> }[] = [
  { name: 'workflows', path: '/workflows', ready: (p) => p.getByTestId('workflow-row').first().waitFor() },
  { name: 'workflow-detail', path: '/workflows/w-3', ready: (p) => p.getByTestId('transition-timeline').waitFor() },
  { name: 'projects', path: '/projects', ready: (p) => p.getByTestId('project-card').first().waitFor() },
  { name: 'project', path: '/projects/p-checkout', ready: (p) => p.getByTestId('project-stories').waitFor() },
  { name: 'kanban', path: '/kanban?projectId=p-checkout', ready: (p) => p.getByTestId('kanban-card').first().waitFor() },
  { name: 'costs', path: '/costs', ready: (p) => p.getByTestId('costs-ready').waitFor() },
  { name: 'analytics', path: '/analytics', ready: (p) => p.getByTestId('trends-ready').waitFor() },
  // The sample workspace registers no documents: the list's empty state. The viewer pages are checked the same way
  // (both sizes and themes, overflow and axe) in documents.test.ts, which seeds a document root.
  {
    name: 'documents',
    path: '/documents',
    ready: (p) => p.getByText('No documents yet.', { exact: false }).or(p.getByTestId('document-row').first()).waitFor(),
  },
];

const SIZES = [
  { label: 'phone', viewport: PHONE },
  { label: 'desktop', viewport: DESKTOP },
] as const;
const THEMES = ['light', 'dark'] as const;

describe('web app: every page at phone and desktop size, light and dark', () => {
  const ws = browserWorkspace();

  for (const size of SIZES) {
    for (const theme of THEMES) {
      it(`${size.label} ${theme}: no horizontal overflow, no text out of its box, no serious accessibility violation; screenshots saved`, async () => {
        const context = await signedInContext(ws.browser, ws.t.url, ADMIN, { viewport: size.viewport, colorScheme: theme });
        const page = await context.newPage();
        const problems: string[] = [];
        for (const p of PAGES) {
          await page.goto(`${ws.t.url}${p.path}`);
          await p.ready(page);
          await page.waitForSelector('[data-testid=connection-indicator][data-state=live]');
          expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
          const o = await horizontalOverflow(page);
          if (o.scrollWidth > o.clientWidth)
            problems.push(`${p.name}: page is ${o.scrollWidth}px wide in a ${o.clientWidth}px viewport (${o.offenders.join('; ')})`);
          for (const x of await textOverflows(page)) problems.push(`${p.name}: ${x.problem} — ${x.where} — "${x.text}"`);
          for (const v of await seriousA11yViolations(page)) problems.push(`${p.name}: [${v.impact}] ${v.id} ${v.help} at ${v.nodes.join(', ')}`);
          await screenshot(page, `${p.name}-${size.label}-${theme}`);
        }
        // The signed-out login page too.
        const anon = await ws.browser.newContext({ viewport: size.viewport, colorScheme: theme, bypassCSP: true });
        const login = await anon.newPage();
        await login.goto(`${ws.t.url}/login`);
        await login.getByRole('button', { name: 'Sign in' }).waitFor();
        const o = await horizontalOverflow(login);
        if (o.scrollWidth > o.clientWidth) problems.push(`login: overflow ${o.scrollWidth} > ${o.clientWidth}`);
        for (const v of await seriousA11yViolations(login)) problems.push(`login: [${v.impact}] ${v.id} ${v.help} at ${v.nodes.join(', ')}`);
        await screenshot(login, `login-${size.label}-${theme}`);
        await anon.close();
        await context.close();
        expect(problems).toEqual([]);
      });
    }
  }

  it('the board keeps readable columns with uncut titles and scrolls sideways in its own region, never the page', async () => {
    for (const viewport of [DESKTOP, PHONE]) {
      const context = await signedInContext(ws.browser, ws.t.url, ADMIN, { viewport });
      const page = await context.newPage();
      await page.goto(`${ws.t.url}/kanban?projectId=p-checkout`);
      await page.getByTestId('kanban-card').first().waitFor();
      const columns = await page.getByTestId('kanban-column').evaluateAll((els) =>
        els.map((el) => {
          const title = el.querySelector('h2 span')!;
          return { key: el.getAttribute('data-column'), width: el.getBoundingClientRect().width, titleCut: title.scrollWidth > title.clientWidth };
        }),
      );
      expect(columns.map((c) => c.key)).toEqual(['queued', 'in_progress', 'blocked', 'done', 'canceled']);
      for (const c of columns) {
        expect(c.width, `${c.key} width at ${viewport.width}px`).toBeGreaterThanOrEqual(16 * 16 - 1);
        expect(c.titleCut, `${c.key} title cut at ${viewport.width}px`).toBe(false);
      }
      expect(await page.getByTestId('column-count').allTextContents()).toEqual(['2', '2', '1', '2', '1']);
      const board = page.getByTestId('kanban-board');
      const region = await board.evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth, overflowX: getComputedStyle(el).overflowX }));
      expect(region.overflowX).toBe('auto');
      // Five 16rem columns fit at 1440 px; on a phone the board scrolls sideways inside its region.
      if (viewport === PHONE) expect(region.scrollWidth).toBeGreaterThan(region.clientWidth);
      else expect(region.scrollWidth).toBe(region.clientWidth);
      const o = await horizontalOverflow(page);
      expect(o.scrollWidth, `page width at ${viewport.width}px`).toBe(o.clientWidth);
      await board.evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
      const last = await page.locator('[data-testid=kanban-column][data-column=canceled]').evaluate((el) => el.getBoundingClientRect().right);
      expect(last).toBeLessThanOrEqual(viewport.width);
      await context.close();
    }
  });
});
