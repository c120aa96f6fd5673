import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { costRecorded } from '../support/events.js';
import { ingestAccepted } from '../support/ingest.js';
import { ADMIN } from '../support/test-server.js';
import { browserWorkspace } from './support/fixture.js';
import { horizontalOverflow, PHONE, screenshot, seriousA11yViolations, signedInContext } from './support/browser.js';

const HOUR = 3_600_000;
// Fixed offsets inside the last 7 days, computed once (the server reads the real clock).
const NOW = Date.now();
const at = (hoursAgo: number) => ({ occurredAt: new Date(NOW - hoursAgo * HOUR).toISOString() });

// By hand: USD 2.50 + 1.25 + 4.00 = 7.75 (3 records); EUR 3.10 + 0.90 = 4.00 (2 records); 1 unpriced record.
// p-billing alone: USD 4.00, EUR 3.10.
const SEED = [
  costRecorded('c-1', { amount: 2.5, currency: 'USD', projectId: 'p-checkout', agentId: 'dev', model: 'claude-sonnet-4' }, at(2)),
  costRecorded('c-2', { amount: 1.25, currency: 'USD', projectId: 'p-checkout', agentId: 'dev', model: 'claude-sonnet-4' }, at(26)),
  costRecorded('c-3', { amount: 4, currency: 'USD', projectId: 'p-billing', agentId: 'pm', model: 'claude-opus-4' }, at(72)),
  costRecorded('c-4', { amount: 3.1, currency: 'EUR', projectId: 'p-billing', agentId: 'pm', model: 'gpt-x' }, at(50)),
  costRecorded('c-5', { amount: 0.9, currency: 'EUR', projectId: 'p-checkout', agentId: 'dev', model: 'gpt-x' }, at(120)),
  costRecorded('c-6', { amount: null, currency: null, projectId: 'p-billing', agentId: 'dev', model: 'mystery-model-9000', tokens: { input: 1200, output: 300 } }, at(4)),
];

async function cards(page: Page): Promise<Record<string, number>> {
  const list = await page.getByTestId('cost-card').evaluateAll((els) => els.map((el) => [el.getAttribute('data-currency'), Number(el.getAttribute('data-amount'))] as const));
  return Object.fromEntries(list);
}

describe('web app: /costs', () => {
  const ws = browserWorkspace({ setup: async (t) => void (await ingestAccepted(t, SEED)) });

  it('shows the hand-computed totals per currency, the unpriced count, the breakdown and a chart', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN);
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/costs?window=7d&tz=UTC`);
    await page.getByTestId('costs-ready').waitFor();
    await expect.poll(() => cards(page)).toEqual({ EUR: 4, USD: 7.75 });
    expect(await page.getByTestId('cost-card').filter({ hasText: 'USD' }).getByTestId('cost-amount').textContent()).toContain('7.75');
    expect(await page.getByTestId('cost-unpriced').textContent()).toContain('1');
    // Nothing before the window: no previous data, never a 0 % change.
    expect(await page.getByTestId('cost-change').allTextContents()).toEqual(['no previous data', 'no previous data']);
    await expect.poll(() => page.getByTestId('breakdown-row').evaluateAll((r) => r.map((x) => x.getAttribute('data-key')).sort())).toEqual(['p-billing', 'p-checkout']);
    const chart = page.getByTestId('cost-chart');
    await chart.first().waitFor();
    expect(await chart.evaluateAll((c) => c.map((x) => x.getAttribute('data-currency')))).toEqual(['EUR', 'USD']);
    expect(Number(await chart.first().getAttribute('data-buckets'))).toBeGreaterThanOrEqual(7);
    await context.close();
  });

  it('a range before any data is unavailable (not 0), and the chart draws its buckets as unavailable', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN);
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/costs?window=custom&start=2020-01-01&end=2020-01-10&tz=UTC`);
    const banner = page.getByTestId('cost-unavailable');
    await banner.waitFor();
    expect(await banner.getAttribute('data-reason')).toBe('no_cost_source');
    expect(await banner.textContent()).toContain('no cost source');
    expect(await page.getByTestId('cost-card').count()).toBe(0);
    const chart = page.getByTestId('cost-chart');
    await chart.waitFor();
    expect(await chart.getAttribute('data-buckets')).toBe('9');
    expect(await chart.getAttribute('data-unavailable-buckets')).toBe('9');
    await expect.poll(() => page.locator('[data-testid=cost-bucket][data-status=unavailable]').count()).toBe(9);
    const legend = page.getByTestId('chart-no-data-legend');
    expect(await legend.getAttribute('data-reason')).toBe('no_cost_source');
    expect(await legend.textContent()).toContain('no data: no cost source yet');
    expect(await page.locator('[data-testid=cost-bucket][data-status=unavailable] title').first().textContent()).toContain('no data (no cost source yet)');
    expect(await page.locator('main').textContent()).not.toMatch(/\$0\.00/);
    await context.close();
  });

  it('shows an invalid custom range inline and asks nothing of the server', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN);
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/costs?window=custom&start=2026-11-10&end=2026-11-01`);
    expect(await page.getByTestId('end-error').textContent()).toBe('The end must be after the start.');
    expect(await page.locator('input[name=end]').getAttribute('aria-invalid')).toBe('true');
    await page.locator('input[name=start]').fill('2024-01-01');
    await page.locator('input[name=end]').fill('2025-06-01');
    await expect.poll(() => page.getByTestId('end-error').textContent()).toBe('The range must be at most 400 days.');
    await page.locator('input[name=end]').fill('2024-02-01');
    await page.getByTestId('costs-ready').waitFor();
    expect(await page.getByTestId('end-error').count()).toBe(0);
    await context.close();
  });

  it('keeps window, project, time zone and grouping in the URL across a reload', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN);
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/costs`);
    await page.getByTestId('costs-ready').waitFor();
    await page.locator('select[name=window]').selectOption('30d');
    await page.locator('select[name=projectId]').selectOption('p-billing');
    await page.locator('select[name=tz]').selectOption('Asia/Tokyo');
    await page.locator('select[name=groupBy]').selectOption('model');
    await page.waitForURL((u) => u.searchParams.get('window') === '30d' && u.searchParams.get('projectId') === 'p-billing' && u.searchParams.get('tz') === 'Asia/Tokyo' && u.searchParams.get('groupBy') === 'model');
    await expect.poll(() => cards(page)).toEqual({ EUR: 3.1, USD: 4 });
    await page.reload();
    await page.getByTestId('costs-ready').waitFor();
    await expect.poll(() => cards(page)).toEqual({ EUR: 3.1, USD: 4 });
    expect(await page.locator('select[name=window]').inputValue()).toBe('30d');
    expect(await page.locator('select[name=projectId]').inputValue()).toBe('p-billing');
    expect(await page.locator('select[name=tz]').inputValue()).toBe('Asia/Tokyo');
    expect(await page.locator('select[name=groupBy]').inputValue()).toBe('model');
    await expect.poll(() => page.getByTestId('breakdown-row').evaluateAll((r) => r.map((x) => x.getAttribute('data-key')).sort())).toEqual(['claude-opus-4', 'gpt-x', 'mystery-model-9000']);
    await context.close();
  });

  it('exports what is on screen as a CSV download', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN);
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/costs?window=7d&tz=UTC`);
    await page.getByTestId('cost-chart').first().waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^costs-.*\.csv$/);
    const text = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks as Buffer[]).toString('utf8'));
    expect(text).toContain('summary,,,USD,7.75,3,1,available');
    expect(text).toContain('summary,,,EUR,4,2,1,available');
    expect(text).toMatch(/breakdown:project,p-billing,/);
    expect(text).toMatch(/bucket:day,,,USD,/);
    await context.close();
  });

  it('updates the total live when a cost is recorded, without a reload', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN);
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/costs?window=7d&tz=UTC`);
    await page.waitForSelector('[data-testid=connection-indicator][data-state=live]');
    await expect.poll(() => cards(page)).toEqual({ EUR: 4, USD: 7.75 });
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));
    await ingestAccepted(ws.t, [costRecorded('c-live', { amount: 1, currency: 'USD', projectId: 'p-checkout' }, { occurredAt: new Date().toISOString() })]);
    await expect.poll(() => cards(page), { timeout: 3000, interval: 100 }).toEqual({ EUR: 4, USD: 8.75 });
    expect(navigations).toEqual([]);
    await context.close();
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`phone ${theme}: no horizontal overflow, no serious accessibility violation (data and unavailable states)`, async () => {
      const context = await signedInContext(ws.browser, ws.t.url, ADMIN, { viewport: PHONE, colorScheme: theme });
      const page = await context.newPage();
      const problems: string[] = [];
      for (const [name, query, ready] of [
        ['data', 'window=7d&tz=UTC', 'cost-card'],
        ['unavailable', 'window=custom&start=2020-01-01&end=2020-01-10&tz=UTC', 'cost-unavailable'],
      ] as const) {
        await page.goto(`${ws.t.url}/costs?${query}`);
        await page.getByTestId(ready).first().waitFor();
        await page.getByTestId('cost-chart').first().waitFor();
        await page.waitForSelector('[data-testid=connection-indicator][data-state=live]');
        const o = await horizontalOverflow(page);
        if (o.scrollWidth > o.clientWidth) problems.push(`${name}: ${o.scrollWidth} > ${o.clientWidth} (${o.offenders.join('; ')})`);
        for (const v of await seriousA11yViolations(page)) problems.push(`${name}: [${v.impact}] ${v.id} ${v.help} at ${v.nodes.join(', ')}`);
        await screenshot(page, `costs-${name}-phone-${theme}`);
      }
      expect(problems).toEqual([]);
      await context.close();
    });
  }
});
