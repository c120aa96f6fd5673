import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ADMIN } from '../support/test-server.js';
import { browserWorkspace } from './support/fixture.js';
import { DESKTOP, horizontalOverflow, PHONE, screenshot, seriousA11yViolations, signedInContext } from './support/browser.js';

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
  { name: 'documents', path: '/documents', ready: (p) => p.getByText('No documents yet.', { exact: false }).or(p.getByTestId('document-row').first()).waitFor() },
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
      it(`${size.label} ${theme}: no horizontal overflow, no serious accessibility violation; screenshots saved`, async () => {
        const context = await signedInContext(ws.browser, ws.t.url, ADMIN, { viewport: size.viewport, colorScheme: theme });
        const page = await context.newPage();
        const problems: string[] = [];
        for (const p of PAGES) {
          await page.goto(`${ws.t.url}${p.path}`);
          await p.ready(page);
          await page.waitForSelector('[data-testid=connection-indicator][data-state=live]');
          expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
          const o = await horizontalOverflow(page);
          if (o.scrollWidth > o.clientWidth) problems.push(`${p.name}: page is ${o.scrollWidth}px wide in a ${o.clientWidth}px viewport (${o.offenders.join('; ')})`);
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

  it('at 1440×900 the board shows every column inside the viewport', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN, { viewport: DESKTOP });
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/kanban?projectId=p-checkout`);
    await page.getByTestId('kanban-card').first().waitFor();
    const columns = await page.getByTestId('kanban-column').evaluateAll((els) => els.map((el) => ({ key: el.getAttribute('data-column'), ...el.getBoundingClientRect().toJSON() as { left: number; right: number } })));
    expect(columns.map((c) => c.key)).toEqual(['queued', 'in_progress', 'blocked', 'done', 'canceled']);
    for (const c of columns) {
      expect(c.left, `${c.key} left`).toBeGreaterThanOrEqual(0);
      expect(c.right, `${c.key} right`).toBeLessThanOrEqual(DESKTOP.width);
    }
    const counts = await page.getByTestId('column-count').allTextContents();
    expect(counts).toEqual(['2', '2', '1', '2', '1']);
    await context.close();
  });
});
