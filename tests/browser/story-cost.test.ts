import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { costRecorded, storyUpserted } from '../support/events.js';
import { ingestAccepted } from '../support/ingest.js';
import { ADMIN } from '../support/test-server.js';
import { DESKTOP, horizontalOverflow, PHONE, screenshot, seriousA11yViolations, signedInContext } from './support/browser.js';
import { browserWorkspace } from './support/fixture.js';

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

/*
 * On top of the sample workspace (p-checkout: s-6 and s-7 done; p-billing: nothing done):
 *   s-3 "Apple Pay button": USD 1.25 + 0.50 = $1.75 (dev, claude-sonnet-4-5), EUR 2.00 (qa, gpt-5), one document
 *   s-6 "Order confirmation email": USD 3.25
 *   s-1 "Cart keeps items across devices": nothing recorded
 *   p-checkout: USD 5.00, EUR 2.00 over 2 done stories -> $2.50 and €1.00 per done story
 */
const storyDocument = {
  id: 'doc-s3',
  source: 'test',
  type: 'document.registered',
  occurredAt: ago(25),
  entity: { type: 'document', id: 'doc-story-2-1' },
  payload: {
    projectId: 'p-checkout',
    storyId: 's-3',
    title: 'Story 2.1: Apple Pay button',
    mimeType: 'text/markdown',
    root: 'sample',
    path: 'stories/2-1.md',
    kind: 'story',
  },
};

/** A story as the BMAD connector sends it: its own column, tasks, model and file, and a drift finding on it. */
const bmadStory = storyUpserted(
  's-bmad',
  'p-billing',
  {
    title: 'Invoice PDF layout',
    status: 'in_progress',
    kanbanColumn: 'review',
    epic: 'Epic 4: Invoices',
    details: {
      key: '4.2',
      tasksDone: 3,
      tasksTotal: 5,
      agentModel: 'claude-sonnet-4-5',
      file: '_bmad-output/stories/4-2-invoice-pdf-layout.md',
      sourceStatus: 'review',
    },
  },
  { occurredAt: ago(15) },
);
const bmadFinding = {
  id: 'consistency-billing-1',
  source: 'test',
  type: 'consistency.reported',
  occurredAt: ago(14),
  entity: { type: 'project', id: 'p-billing' },
  payload: {
    findings: [
      {
        kind: 'status_drift',
        storyId: 's-bmad',
        file: '_bmad-output/stories/4-2-invoice-pdf-layout.md',
        line: 3,
        message: 'The story file says in-progress; sprint-status.yaml says review',
        expected: 'review',
        actual: 'in-progress',
      },
    ],
  },
};

const ws = browserWorkspace({
  setup: async (t) => {
    await ingestAccepted(t, [
      costRecorded(
        'c-1',
        { amount: 1.25, currency: 'USD', projectId: 'p-checkout', storyId: 's-3', agentId: 'a-dev', model: 'claude-sonnet-4-5' },
        { occurredAt: ago(50) },
      ),
      costRecorded(
        'c-2',
        { amount: 0.5, currency: 'USD', projectId: 'p-checkout', storyId: 's-3', agentId: 'a-dev', model: 'claude-sonnet-4-5' },
        { occurredAt: ago(40) },
      ),
      costRecorded('c-3', { amount: 2, currency: 'EUR', projectId: 'p-checkout', storyId: 's-3', agentId: 'a-qa', model: 'gpt-5' }, { occurredAt: ago(30) }),
      costRecorded(
        'c-4',
        { amount: 3.25, currency: 'USD', projectId: 'p-checkout', storyId: 's-6', agentId: 'a-dev', model: 'claude-sonnet-4-5' },
        { occurredAt: ago(20) },
      ),
      storyDocument,
      bmadStory,
      bmadFinding,
    ]);
  },
});

const card = (page: Page, storyId: string) => page.locator(`[data-testid=kanban-card][data-story-id="${storyId}"]`);
const live = (page: Page) => page.waitForSelector('[data-testid=connection-indicator][data-state=live]');

async function openBoard(page: Page) {
  await page.goto(`${ws.t.url}/kanban?projectId=p-checkout`);
  await card(page, 's-3').waitFor();
  await live(page);
}

describe('story cost to date: cards, story page, projects', () => {
  it('project cards and the project page show cost to date and cost per done story', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN);
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/projects`);
    const checkout = page.locator('[data-testid=project-card][data-project-id=p-checkout]');
    await checkout.waitFor();
    await expect.poll(() => checkout.getByTestId('project-cost').textContent()).toBe('€2.00 · $5.00');
    expect(await checkout.getByTestId('project-cost-per-story').textContent()).toBe('€1.00 · $2.50 (2 done)');
    const billing = page.locator('[data-testid=project-card][data-project-id=p-billing]');
    expect(await billing.getByTestId('project-cost').getAttribute('data-availability')).toBe('unavailable');
    expect(await billing.getByTestId('project-cost-per-story').textContent()).toContain('no done stories yet');
    expect(await billing.textContent()).not.toContain('$0.00');

    await page.goto(`${ws.t.url}/projects/p-checkout`);
    await page.getByTestId('project-stories').waitFor();
    expect(await page.getByTestId('project-cost-per-story').textContent()).toContain('€1.00 · $2.50');
    await context.close();
  });

  it('a card shows the cost seeded for its story; a story without cost shows the unavailable marker, not $0.00', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN);
    const page = await context.newPage();
    await openBoard(page);
    const cost = card(page, 's-3').getByTestId('card-cost');
    expect(await cost.getAttribute('data-availability')).toBe('available');
    expect(await cost.innerText()).toContain('€2.00 · $1.75');
    const none = card(page, 's-1').getByTestId('card-cost');
    expect(await none.getAttribute('data-availability')).toBe('unavailable');
    await expect.poll(() => none.getByRole('img', { name: 'no cost recorded' }).count()).toBe(1);
    expect(await card(page, 's-1').textContent()).not.toContain('0.00');
    await context.close();
  });

  it('a cost recorded through the ingestion API updates the card without a reload', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN);
    const page = await context.newPage();
    await openBoard(page);
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
    await ingestAccepted(ws.t, [
      costRecorded('c-live-1', { amount: 0.25, currency: 'USD', projectId: 'p-checkout', storyId: 's-3', agentId: 'a-dev', model: 'claude-sonnet-4-5' }),
    ]);
    const cost = card(page, 's-3').getByTestId('card-cost');
    await expect.poll(() => cost.innerText(), { timeout: 5000 }).toContain('€2.00 · $2.00');
    // A story that had no cost gets one the same way.
    await ingestAccepted(ws.t, [costRecorded('c-live-2', { amount: 0.1, currency: 'USD', projectId: 'p-checkout', storyId: 's-1' })]);
    await expect.poll(() => card(page, 's-1').getByTestId('card-cost').innerText(), { timeout: 5000 }).toContain('$0.10');
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    await context.close();
  });

  it('the story page lists the runs, documents and cost by agent and model, and follows new costs live', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN);
    const page = await context.newPage();
    await openBoard(page);
    await card(page, 's-3').getByTestId('card-link').click();
    await page.waitForURL(/\/stories\/s-3$/);
    await page.getByRole('heading', { level: 1, name: 'Apple Pay button' }).waitFor();
    const runs = page.getByTestId('story-workflows');
    expect(await runs.getByRole('link', { name: 'dev-story 2.1' }).getAttribute('href')).toBe('/workflows/w-2');
    const docs = page.getByTestId('story-documents');
    expect(await docs.getByRole('link', { name: 'Story 2.1: Apple Pay button' }).getAttribute('href')).toBe('/documents/doc-story-2-1');
    const total = page.getByTestId('story-cost-total');
    expect(await total.innerText()).toContain('€2.00 · $2.00');
    const rows = await page.getByTestId('story-cost-breakdown').locator('tbody tr').allInnerTexts();
    expect(rows.map((r) => r.replace(/\s+/g, ' ').trim())).toEqual(['Amelia (dev) Sonnet 4.5 $2.00', 'Quinn (QA) gpt-5 €2.00']);
    expect(await page.getByTestId('story-details').innerText()).toContain('Epic 2: Checkout');

    await live(page);
    await ingestAccepted(ws.t, [
      costRecorded('c-live-3', { amount: 1, currency: 'USD', projectId: 'p-checkout', storyId: 's-3', agentId: 'a-dev', model: 'claude-sonnet-4-5' }),
    ]);
    await expect.poll(() => total.innerText(), { timeout: 5000 }).toContain('€2.00 · $3.00');
    await context.close();
  });

  it('a story without cost shows the unavailable marker on its page, not $0.00', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN);
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/stories/s-2`);
    const total = page.getByTestId('story-cost-total');
    await total.waitFor();
    expect(await total.getAttribute('data-availability')).toBe('unavailable');
    expect(await total.getByRole('img', { name: 'no cost recorded' }).count()).toBe(1);
    expect(await page.getByTestId('story-cost').textContent()).not.toContain('0.00');
    await page.goto(`${ws.t.url}/stories/nope`);
    await page.getByRole('heading', { name: 'Story not found' }).waitFor();
    await context.close();
  });

  it('a BMAD story page shows its BMAD column, tasks, model, file and findings', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN);
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/stories/s-bmad`);
    await page.getByRole('heading', { level: 1, name: 'Invoice PDF layout' }).waitFor();
    expect(await page.getByTestId('story-status').innerText()).toContain('BMAD column review');
    const details = await page.getByTestId('story-details').innerText();
    for (const text of ['Epic 4: Invoices', '3 of 5 done', 'Sonnet 4.5', '_bmad-output/stories/4-2-invoice-pdf-layout.md']) expect(details).toContain(text);
    expect(await page.getByTestId('story-details').locator('[data-model]').getAttribute('title')).toBe('claude-sonnet-4-5');
    const findings = page.getByTestId('story-findings');
    expect(await findings.innerText()).toContain('sprint-status.yaml says review');
    await context.close();
  });

  for (const viewport of [PHONE, DESKTOP]) {
    for (const theme of ['light', 'dark'] as const) {
      it(`${viewport.width}px ${theme}: board, story page and projects fit without overflow or serious axe violations`, async () => {
        const context = await signedInContext(ws.browser, ws.t.url, ADMIN, { viewport, colorScheme: theme });
        const page = await context.newPage();
        const problems: string[] = [];
        const pages: [string, string, () => Promise<unknown>][] = [
          ['story-cost-kanban', '/kanban?projectId=p-checkout', () => card(page, 's-3').waitFor()],
          ['story-page', '/stories/s-3', () => page.getByTestId('story-cost-breakdown').waitFor()],
          ['story-page-no-cost', '/stories/s-2', () => page.getByTestId('story-cost').waitFor()],
          ['story-page-bmad', '/stories/s-bmad', () => page.getByTestId('story-findings').waitFor()],
          ['story-cost-projects', '/projects', () => page.getByTestId('project-cost').first().waitFor()],
          ['story-cost-project', '/projects/p-checkout', () => page.getByTestId('project-stories').waitFor()],
        ];
        for (const [name, path, ready] of pages) {
          await page.goto(`${ws.t.url}${path}`);
          await ready();
          await live(page);
          const o = await horizontalOverflow(page);
          if (o.scrollWidth > o.clientWidth) problems.push(`${name}: ${o.scrollWidth}px wide in ${o.clientWidth}px (${o.offenders.join('; ')})`);
          for (const v of await seriousA11yViolations(page)) problems.push(`${name}: [${v.impact}] ${v.id} ${v.help} at ${v.nodes.join(', ')}`);
          await screenshot(page, `${name}-${viewport.width}-${theme}`);
        }
        await context.close();
        expect(problems).toEqual([]);
      });
    }
  }
});
