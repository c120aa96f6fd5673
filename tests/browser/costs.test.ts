import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { costRecorded, projectUpserted } from '../support/events.js';
import { ingestAccepted, serverIngest } from '../support/ingest.js';
import { ADMIN } from '../support/test-server.js';
import { browserWorkspace } from './support/fixture.js';
import { DESKTOP, horizontalOverflow, PHONE, screenshot, seriousA11yViolations, signedInContext } from './support/browser.js';

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
  costRecorded(
    'c-6',
    { amount: null, currency: null, projectId: 'p-billing', agentId: 'dev', model: 'mystery-model-9000', tokens: { input: 1200, output: 300 } },
    at(4),
  ),
];

/** Pixels of the chart canvas within a few levels of a #rrggbb colour: what was really drawn, not what was configured. */
function pixelsOf(page: Page, selector: string, hex: string): Promise<number> {
  return page.evaluate(
    ([sel, color]) => {
      const canvas = document.querySelector<HTMLCanvasElement>(sel);
      const ctx = canvas?.getContext('2d');
      if (!canvas || !ctx) return -1;
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4)
        if (Math.abs(data[i]! - r!) < 8 && Math.abs(data[i + 1]! - g!) < 8 && Math.abs(data[i + 2]! - b!) < 8 && data[i + 3]! > 240) n++;
      return n;
    },
    [selector, hex] as const,
  );
}

async function cards(page: Page): Promise<Record<string, number>> {
  const list = await page
    .getByTestId('cost-card')
    .evaluateAll((els) => els.map((el) => [el.getAttribute('data-currency'), Number(el.getAttribute('data-amount'))] as const));
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
    await expect
      .poll(() => page.getByTestId('breakdown-row').evaluateAll((r) => r.map((x) => x.getAttribute('data-key')).sort()))
      .toEqual(['p-billing', 'p-checkout']);
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
    await chart.locator('canvas').first().waitFor();
    const legend = page.getByTestId('chart-no-data-legend');
    expect(await legend.getAttribute('data-reason')).toBe('no_cost_source');
    expect(await legend.textContent()).toContain('no data: no cost source reporting');
    // The canvas is opaque to tests and to screen readers alike: its data table says what each bucket is.
    await chart.getByText('Show the data as a table').click();
    await expect.poll(() => page.locator('[data-testid=chart-table-row][data-status=unavailable]').count()).toBe(9);
    expect(await page.locator('[data-testid=chart-table-row][data-status=unavailable] td').first().textContent()).toBe('no data (no cost source reporting)');
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
    await page.waitForURL(
      (u) =>
        u.searchParams.get('window') === '30d' &&
        u.searchParams.get('projectId') === 'p-billing' &&
        u.searchParams.get('tz') === 'Asia/Tokyo' &&
        u.searchParams.get('groupBy') === 'model',
    );
    await expect.poll(() => cards(page)).toEqual({ EUR: 3.1, USD: 4 });
    await page.reload();
    await page.getByTestId('costs-ready').waitFor();
    await expect.poll(() => cards(page)).toEqual({ EUR: 3.1, USD: 4 });
    expect(await page.locator('select[name=window]').inputValue()).toBe('30d');
    expect(await page.locator('select[name=projectId]').inputValue()).toBe('p-billing');
    expect(await page.locator('select[name=tz]').inputValue()).toBe('Asia/Tokyo');
    expect(await page.locator('select[name=groupBy]').inputValue()).toBe('model');
    await expect
      .poll(() => page.getByTestId('breakdown-row').evaluateAll((r) => r.map((x) => x.getAttribute('data-key')).sort()))
      .toEqual(['claude-opus-4', 'gpt-x', 'mystery-model-9000']);
    // Claude models by name, the id on hover; other ids as they are.
    const opus = page.locator('[data-testid=breakdown-row][data-key=claude-opus-4] [data-model]');
    expect(await opus.textContent()).toBe('Opus 4');
    expect(await opus.getAttribute('title')).toBe('claude-opus-4');
    expect(await page.locator('[data-testid=breakdown-row][data-key=gpt-x] [data-model]').textContent()).toBe('gpt-x');
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

  it('draws the buckets on a canvas: unknown ones as labelled no-data bands, known zeros as 0, values in a tooltip and a table', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN);
    const page = await context.newPage();
    const seriesResponse = page.waitForResponse((r) => r.url().includes('/api/v1/costs/timeseries'));
    await page.goto(`${ws.t.url}/costs?window=7d&tz=UTC`);
    const api = (await (await seriesResponse).json()) as { series: { currency: string; buckets: { status: string; amount?: number; reason?: string }[] }[] };
    const usd = api.series.find((x) => x.currency === 'USD')!.buckets;
    // The seed gives both kinds this test is about: buckets before any cost source, and days with a source but no cost.
    expect(usd.some((b) => b.status === 'unavailable')).toBe(true);
    expect(usd.some((b) => b.status === 'available' && b.amount === 0)).toBe(true);

    const chart = page.locator('[data-testid=cost-chart][data-currency=USD]');
    await chart.locator('canvas').first().waitFor();
    expect(await chart.getByTestId('time-series-chart').getAttribute('data-unavailable-points')).toBe(
      String(usd.filter((b) => b.status === 'unavailable').length),
    );
    expect(await chart.getByTestId('chart-no-data-legend').textContent()).toBe('no data: no cost source reporting');
    expect(await chart.getByRole('img').getAttribute('aria-label')).toMatch(/^Cost per day in USD \(UTC\): \d+ periods, \d+ without data/);

    await chart.getByText('Show the data as a table').click();
    const rows = chart.getByTestId('chart-table-row');
    await expect.poll(() => rows.count()).toBe(usd.length);
    const cells = await rows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-status'), tr.querySelector('td')?.textContent ?? '']));
    usd.forEach((b, i) => {
      if (b.status === 'unavailable') expect(cells[i]).toEqual(['unavailable', 'no data (no cost source reporting)']);
      else expect(cells[i]).toEqual(['available', `$${b.amount!.toFixed(2)}`]);
    });

    // Keyboard: the chart takes focus, arrows walk the buckets and the tooltip says what each one is.
    await chart.getByRole('img').focus();
    await page.keyboard.press('Home');
    const tip = chart.getByTestId('chart-tooltip');
    const first = usd[0]!;
    await expect.poll(() => tip.textContent()).toContain(first.status === 'unavailable' ? 'no data: no cost source reporting' : `$${first.amount!.toFixed(2)}`);
    await page.keyboard.press('End');
    await expect.poll(() => tip.textContent()).toMatch(/\$\d+\.\d{2}/);
    await page.keyboard.press('Escape');
    await expect.poll(() => tip.count()).toBe(0);

    // Touch: a tap on the plot (a touch pointer, which uPlot alone ignores) shows the tooltip too.
    await chart.locator('.u-over').evaluate((over) => {
      const r = over.getBoundingClientRect();
      over.dispatchEvent(new PointerEvent('pointerdown', { pointerType: 'touch', clientX: r.left + 2, clientY: r.top + r.height / 2, bubbles: true }));
    });
    await expect.poll(() => tip.count()).toBe(1);
    await context.close();
  });

  it("redraws the chart in the new theme's colours when the theme is switched", async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN, { viewport: DESKTOP, colorScheme: 'light' });
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/costs?window=7d&tz=UTC`);
    const figure = page.locator('[data-testid=cost-chart][data-currency=USD] [data-testid=time-series-chart]');
    const canvas = '[data-testid=cost-chart][data-currency=USD] canvas';
    await page.locator(canvas).waitFor();
    const [light, dark] = ['#4338ca', '#818cf8']; // --accent in styles.css
    expect(await figure.getAttribute('data-series-colors')).toBe(light);
    await expect.poll(() => pixelsOf(page, canvas, light)).toBeGreaterThan(50);
    expect(await pixelsOf(page, canvas, dark)).toBe(0);
    await screenshot(page, 'costs-chart-desktop-light');

    const saved = page.waitForResponse((r) => r.url().includes('/auth/me/preferences'));
    await page.getByTestId('theme-select').selectOption('dark');
    await saved;
    await expect.poll(() => figure.getAttribute('data-series-colors')).toBe(dark);
    await expect.poll(() => pixelsOf(page, canvas, dark)).toBeGreaterThan(50);
    expect(await pixelsOf(page, canvas, light)).toBe(0);
    await screenshot(page, 'costs-chart-desktop-dark');

    // The choice is stored in the admin's profile: put it back so the other tests see the theme they ask for.
    const restored = page.waitForResponse((r) => r.url().includes('/auth/me/preferences'));
    await page.getByTestId('theme-select').selectOption('system');
    expect((await restored).status()).toBe(200);
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
        await page.locator('[data-testid=cost-chart] canvas').first().waitFor();
        const canvasRight = await page
          .locator('[data-testid=cost-chart] canvas')
          .first()
          .evaluate((c) => c.getBoundingClientRect().right);
        if (canvasRight > PHONE.width) problems.push(`${name}: the chart canvas ends at ${canvasRight} px`);
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

const MINUTE = 60_000;
const budgetSet = (projectId: string, amount: number, currency: string) => ({
  id: `budget-${projectId}`,
  source: 'test',
  type: 'project.budget_set',
  occurredAt: new Date(Date.now() - 10 * MINUTE).toISOString(),
  entity: { type: 'project', id: projectId },
  payload: { amount, currency },
});
const justNow = () => ({ occurredAt: new Date(Date.now() - 2 * MINUTE).toISOString() });

describe('web app: /costs monthly budgets', () => {
  // Its own server: these costs would change the totals the tests above compute by hand. All spend is minutes old, so
  // it falls in the current month; 9.99 of 10 stays "at risk" (projected to cross) until the month's last 45 minutes.
  const ws = browserWorkspace({
    setup: async (t) => {
      await ingestAccepted(t, [
        projectUpserted('p-idle', { name: 'Idle research' }),
        projectUpserted('p-small', { name: 'Small fixes' }),
        costRecorded('b-1', { amount: 9.99, currency: 'USD', projectId: 'p-checkout' }, justNow()),
        costRecorded('b-2', { amount: 12, currency: 'EUR', projectId: 'p-billing' }, justNow()),
        costRecorded('b-3', { amount: 1, currency: 'USD', projectId: 'p-small' }, justNow()),
      ]);
      // Budgets are set by operators in the dashboard: no key may send them.
      await serverIngest(t, [
        budgetSet('p-checkout', 10, 'USD'),
        budgetSet('p-billing', 10, 'EUR'),
        budgetSet('p-small', 1000, 'USD'),
        budgetSet('p-idle', 100, 'USD'),
      ]);
    },
  });

  const budget = (page: Page, projectId: string) => page.locator(`[data-testid=budget][data-project=${projectId}]`);

  it('shows spent of budget with a progress bar, status in words, when it will or did exceed, and unknown spend as unavailable', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN);
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/costs?window=7d&tz=UTC`);
    await page.getByTestId('budgets').waitFor();
    expect((await page.getByTestId('budget').evaluateAll((els) => els.map((e) => e.getAttribute('data-project')))).sort()).toEqual([
      'p-billing',
      'p-checkout',
      'p-idle',
      'p-small',
    ]);

    const risk = budget(page, 'p-checkout');
    expect(await risk.getAttribute('data-status')).toBe('at_risk');
    expect(await risk.getByTestId('budget-status').textContent()).toContain('At risk');
    expect(await risk.getByTestId('budget-spent').textContent()).toBe('$9.99 of $10.00');
    expect(await risk.getByTestId('budget-pct').textContent()).toBe('99 %');
    expect(await risk.getByTestId('budget-when').textContent()).toMatch(/^projected to exceed on [A-Z][a-z]{2} \d{1,2}$/);
    const bar = page.getByRole('progressbar', { name: 'Checkout revamp: budget used' });
    expect(await bar.getAttribute('aria-valuenow')).toBe('99');
    expect(await bar.getAttribute('aria-valuemax')).toBe('100');
    expect(await bar.getAttribute('aria-valuetext')).toBe('$9.99 of $10.00 (99 %), at risk');

    const over = budget(page, 'p-billing');
    expect(await over.getAttribute('data-status')).toBe('exceeded');
    expect(await over.getByTestId('budget-status').textContent()).toContain('Exceeded');
    expect(await over.getByTestId('budget-pct').textContent()).toBe('120 %');
    expect(await over.getByTestId('budget-when').textContent()).toMatch(/^exceeded on [A-Z][a-z]{2} \d{1,2}$/);
    expect(await page.getByRole('progressbar', { name: 'Billing exports: budget used' }).getAttribute('aria-valuenow')).toBe('100');

    const fine = budget(page, 'p-small');
    expect(await fine.getAttribute('data-status')).toBe('on_track');
    expect(await fine.getByTestId('budget-status').textContent()).toContain('On track');
    expect(await fine.getByTestId('budget-pct').textContent()).toBe('<1 %');

    // No cost source for the project: unknown, said in words, with no bar and no 0 anywhere.
    const idle = budget(page, 'p-idle');
    expect(await idle.getAttribute('data-availability')).toBe('unavailable');
    expect(await idle.getByTestId('budget-unavailable').textContent()).toBe('spent unavailable — no cost source reporting');
    expect(await idle.getByRole('progressbar').count()).toBe(0);
    expect(await idle.textContent()).not.toMatch(/\$0\.00|\b0 %/);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks as Buffer[]).toString('utf8'));
    expect(csv).toMatch(/^budget:month,p-checkout,Checkout revamp,USD,9\.99,,,at_risk,,\S+,\S+,10,99\.9,,\S+\r$/m);
    expect(csv).toMatch(/^budget:month,p-idle,Idle research,USD,,,,unavailable,no_cost_source,\S+,\S+,100,,,\r$/m);

    // Scoped to one project: only its budget.
    await page.goto(`${ws.t.url}/costs?window=7d&tz=UTC&projectId=p-billing`);
    await expect.poll(() => page.getByTestId('budget').evaluateAll((els) => els.map((e) => e.getAttribute('data-project')))).toEqual(['p-billing']);
    await context.close();
  });

  for (const [device, viewport] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const)
    for (const theme of ['light', 'dark'] as const)
      it(`${device} ${theme}: budgets and chart fit without horizontal overflow and pass axe`, async () => {
        const context = await signedInContext(ws.browser, ws.t.url, ADMIN, { viewport, colorScheme: theme });
        const page = await context.newPage();
        await page.goto(`${ws.t.url}/costs?window=24h&tz=UTC`);
        await page.getByTestId('budgets').waitFor();
        await page.locator('[data-testid=cost-chart] canvas').first().waitFor();
        await page.waitForSelector('[data-testid=connection-indicator][data-state=live]');
        const o = await horizontalOverflow(page);
        expect(o.scrollWidth, o.offenders.join('; ')).toBeLessThanOrEqual(o.clientWidth);
        expect(await seriousA11yViolations(page)).toEqual([]);
        // The tooltip is part of what people see: hover the last bucket for the screenshot.
        const over = page.locator('[data-testid=cost-chart] .u-over').first();
        const box = (await over.boundingBox())!;
        await over.hover({ position: { x: box.width - 3, y: box.height / 2 } });
        await page.getByTestId('chart-tooltip').first().waitFor();
        await screenshot(page, `costs-budgets-${device}-${theme}`);
        await context.close();
      });
});
