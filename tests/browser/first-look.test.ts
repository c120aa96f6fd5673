import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentPageSchema, workflowPageSchema } from '../../src/contracts/index.js';
import { ids } from '../../src/server/connector/bmad/to-events.js';
import { syncReported } from '../support/events.js';
import { ADMIN, startTestServer, tempDir, type TestServer } from '../support/test-server.js';
import { DESKTOP, horizontalOverflow, launchBrowser, PHONE, screenshot, signedInContext } from './support/browser.js';
import { textOverflows } from './support/text-overflow.js';

/**
 * A fresh start as `npm start` makes it: the BMAD v6 sample connected (long story ids, long file paths, eight board
 * columns), nothing else. Every page at phone and desktop size in both themes: no text may run out of its box into a
 * neighbour, and the page itself never scrolls sideways.
 */
describe('first look: the BMAD v6 sample on every page', () => {
  let t: TestServer;
  let browser: Browser;
  let projectId: string;
  let storyId: string;
  let workflowId: string;
  const docs = new Map<string, string>();

  beforeAll(async () => {
    const dir = path.join(tempDir('bmad-ops-first-look-'), 'streakly');
    fs.cpSync(path.resolve('examples/bmad-v6-sample'), dir, { recursive: true });
    t = await startTestServer({ config: { bmad: { projects: [dir] } } });
    const snap = t.server.bmad.all[0]!.snapshot!;
    projectId = ids.project(snap.projectKey);
    // The story with the longest key: the longest id and title the sample has.
    const longest = [...snap.stories].sort((a, b) => b.key.length - a.key.length)[0]!;
    storyId = ids.story(snap.projectKey, longest.key);
    const runs = workflowPageSchema.parse(await (await t.get(`/api/v1/workflows?storyId=${encodeURIComponent(storyId)}&pageSize=50`)).json());
    workflowId = runs.items[0]!.id;
    const documents = documentPageSchema.parse(await (await t.get('/api/v1/documents?pageSize=100')).json());
    for (const d of documents.items) if (d.path) docs.set(path.basename(d.path), d.id);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const S = encodeURIComponent;
  /** Every page, with what proves it finished rendering. */
  const pages = (): { name: string; path: string; ready: (p: Page) => Promise<unknown> }[] => [
    { name: 'workflows', path: '/workflows', ready: (p) => p.getByTestId('workflow-row').first().waitFor() },
    {
      name: 'workflow-detail',
      path: `/workflows/${S(workflowId)}`,
      ready: (p) => p.getByTestId('transition-timeline').or(p.getByText('No transitions recorded yet.')).waitFor(),
    },
    { name: 'projects', path: '/projects', ready: (p) => p.getByTestId('project-card').first().waitFor() },
    {
      name: 'project',
      path: `/projects/${S(projectId)}`,
      // The flow charts too: their canvases (or the plain "no history" note) are part of what has to fit.
      ready: async (p) => {
        await p.getByTestId('project-stories').waitFor();
        await p.locator('[data-testid=flow-cfd] canvas').or(p.getByTestId('flow-no-history')).waitFor();
      },
    },
    { name: 'kanban', path: `/kanban?projectId=${S(projectId)}`, ready: (p) => p.getByTestId('kanban-card').first().waitFor() },
    { name: 'story', path: `/stories/${S(storyId)}`, ready: (p) => p.getByTestId('story-details').waitFor() },
    { name: 'costs', path: '/costs', ready: (p) => p.getByTestId('costs-ready').waitFor() },
    { name: 'analytics', path: '/analytics', ready: (p) => p.getByTestId('trends-ready').waitFor() },
    { name: 'documents', path: '/documents', ready: (p) => p.getByTestId('document-row').first().waitFor() },
    {
      name: 'document-story',
      path: `/documents/${S(docs.get([...docs.keys()].find((k) => k.startsWith('1-1-'))!)!)}`,
      ready: (p) => p.locator('[data-testid=markdown-body] h1').first().waitFor(),
    },
    {
      name: 'document-architecture',
      path: `/documents/${S(docs.get('architecture.md')!)}`,
      ready: async (p) => {
        await p.locator('[data-testid=markdown-body] h1').first().waitFor();
        if ((await p.getByTestId('mermaid-diagram').count()) > 0)
          await p.locator('[data-testid=mermaid-diagram]:not([data-state=pending])').first().waitFor({ timeout: 20_000 });
      },
    },
    { name: 'document-yaml', path: `/documents/${S(docs.get('sprint-status.yaml')!)}`, ready: (p) => p.getByTestId('code-view').waitFor() },
  ];

  for (const size of [
    { label: 'phone', viewport: PHONE },
    { label: 'desktop', viewport: DESKTOP },
  ] as const) {
    for (const theme of ['light', 'dark'] as const) {
      it(`${size.label} ${theme}: no text runs into a neighbour, no page scrolls sideways; screenshots saved`, { timeout: 180_000 }, async () => {
        const context = await signedInContext(browser, t.url, ADMIN, { viewport: size.viewport, colorScheme: theme });
        const page = await context.newPage();
        const problems: string[] = [];
        for (const p of pages()) {
          await page.goto(`${t.url}${p.path}`);
          await p.ready(page);
          await page.waitForSelector('[data-testid=connection-indicator][data-state=live]');
          const o = await horizontalOverflow(page);
          if (o.scrollWidth > o.clientWidth)
            problems.push(`${p.name}: page is ${o.scrollWidth}px wide in a ${o.clientWidth}px viewport (${o.offenders.join('; ')})`);
          for (const x of await textOverflows(page)) problems.push(`${p.name}: ${x.problem} — ${x.where} — "${x.text}"`);
          await screenshot(page, `first-look-${p.name}-${size.label}-${theme}`);
        }
        await context.close();
        expect(problems).toEqual([]);
      });
    }
  }

  it('workflows name their story by its title, linked to the story page; so does a run page', async () => {
    const context = await signedInContext(browser, t.url, ADMIN, { viewport: DESKTOP });
    const page = await context.newPage();
    await page.goto(`${t.url}/workflows`);
    const row = page.locator(`[data-testid=workflow-row][data-workflow-id="${workflowId}"]`);
    const story = row.getByTestId('workflow-story');
    const title = ((await t.get(`/api/v1/stories/${S(storyId)}`).then((r) => r.json())) as { story: { title: string } }).story.title;
    expect(await story.textContent()).toBe(title);
    expect(await story.getAttribute('title')).toBe(title);
    expect(await story.getAttribute('href')).toBe(`/stories/${S(storyId)}`);
    await page.goto(`${t.url}/workflows/${S(workflowId)}`);
    await page.getByTestId('workflow-story').click();
    await page.waitForURL(`**/stories/${S(storyId)}`);
    await page.getByTestId('story-details').waitFor();
    await context.close();
  });

  it('at 1440×900 the eight-column board keeps readable columns and scrolls sideways in its own region', async () => {
    const context = await signedInContext(browser, t.url, ADMIN, { viewport: DESKTOP });
    const page = await context.newPage();
    await page.goto(`${t.url}/kanban?projectId=${S(projectId)}`);
    await page.getByTestId('kanban-card').first().waitFor();
    const board = page.getByTestId('kanban-board');
    const columns = await page.getByTestId('kanban-column').evaluateAll((els) =>
      els.map((el) => {
        const title = el.querySelector('h2 span')!;
        return { key: el.getAttribute('data-column'), width: el.getBoundingClientRect().width, titleCut: title.scrollWidth > title.clientWidth };
      }),
    );
    expect(columns.map((c) => c.key)).toEqual(['awaiting-operator', 'backlog', 'ready-for-dev', 'in-progress', 'review', 'blocked', 'done', 'canceled']);
    for (const c of columns) {
      expect(c.width, `${c.key} width`).toBeGreaterThanOrEqual(16 * 16 - 1);
      expect(c.titleCut, `${c.key} title cut`).toBe(false);
    }
    const region = await board.evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth, overflowX: getComputedStyle(el).overflowX }));
    expect(region.overflowX).toBe('auto');
    expect(region.scrollWidth).toBeGreaterThan(region.clientWidth);
    expect((await horizontalOverflow(page)).scrollWidth).toBe(DESKTOP.width);
    // Scrolled to its end, the last column is in view.
    await board.evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
    const last = await page.locator('[data-testid=kanban-column][data-column=canceled]').evaluate((el) => el.getBoundingClientRect().right);
    expect(last).toBeLessThanOrEqual(DESKTOP.width);

    // Model ids read as model names, the full id on hover.
    const model = page.getByTestId('card-model').first();
    const id = (await model.getAttribute('data-model'))!;
    expect(id).toMatch(/^claude-/);
    expect(await model.textContent()).toMatch(/^Agent model (Opus|Sonnet|Haiku) \d+(\.\d+)?$/);
    expect(await model.getAttribute('title')).toContain(id);
    await context.close();
  });

  it('empty columns can be hidden from the keyboard, and stay hidden after a reload', async () => {
    const context = await signedInContext(browser, t.url, ADMIN, { viewport: DESKTOP });
    const page = await context.newPage();
    await page.goto(`${t.url}/kanban?projectId=${S(projectId)}`);
    await page.getByTestId('kanban-card').first().waitFor();
    const keys = () => page.getByTestId('kanban-column').evaluateAll((els) => els.map((el) => el.getAttribute('data-column')));
    expect(await keys()).toContain('blocked');
    const toggle = page.getByRole('checkbox', { name: /Hide empty columns/ });
    await toggle.focus();
    await page.keyboard.press('Space');
    await expect.poll(keys).toEqual(['awaiting-operator', 'backlog', 'ready-for-dev', 'in-progress', 'review', 'done']);
    expect(await page.getByTestId('hidden-columns').textContent()).toBe('Hidden: Blocked, Canceled');
    await page.reload();
    await page.getByTestId('kanban-card').first().waitFor();
    expect(await keys()).not.toContain('blocked');
    expect(await toggle.isChecked()).toBe(true);
    await toggle.uncheck();
    await expect.poll(keys).toContain('canceled');
    await context.close();
  });

  it('costs and analytics say plainly that no source is connected, and how to connect one; a source that went quiet is stale', async () => {
    const context = await signedInContext(browser, t.url, ADMIN, { viewport: DESKTOP });
    const page = await context.newPage();
    for (const [path, module] of [
      ['/costs', 'cost'],
      ['/analytics', 'agent'],
    ] as const) {
      await page.goto(`${t.url}${path}`);
      const notice = page.getByTestId('no-source');
      await notice.waitFor();
      expect(await notice.getAttribute('data-modules')).toBe(module);
      expect(await notice.textContent()).toContain('Claude Code');
      expect(await notice.textContent()).toContain('OTLP');
      expect(await page.getByTestId('stale-banner').count()).toBe(0);
      expect(await page.getByTestId('freshness-unknown').count()).toBe(0);
    }

    // A cost source that reported once, long ago, and went quiet: stale, said as a warning.
    expect((await t.ingest([syncReported('claude-usage', 'cost', 'ok', { expectedIntervalMs: 60_000 })])).status).toBe(200);
    await page.goto(`${t.url}/costs`);
    await page.getByTestId('stale-banner').waitFor();
    expect(await page.getByTestId('stale-banner').textContent()).toContain('Costs data is stale');
    expect(await page.getByTestId('no-source').count()).toBe(0);
    await context.close();
  });
});
