import type { Page, WebSocketRoute } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { agentUpserted, workflowTransitioned, workflowUpserted } from '../support/events.js';
import { ingestAccepted } from '../support/ingest.js';
import { ADMIN, type TestServer } from '../support/test-server.js';
import { browserWorkspace } from './support/fixture.js';
import path from 'node:path';
import { DESKTOP, horizontalOverflow, PHONE, screenshot, SCREENSHOT_DIR, seriousA11yViolations, signedInContext } from './support/browser.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
// Fixed instants computed once (the server reads the real clock): whole UTC days, as the rollup buckets them.
const NOW = Date.now();
const TODAY = Math.floor(NOW / DAY) * DAY;
const D3 = TODAY - 3 * DAY;
const D5 = TODAY - 5 * DAY;
const iso = (ms: number) => new Date(ms).toISOString();
const D3_ISO = iso(D3);

/**
 * Runs of an agent that reach done on a day: each is upserted queued, started, then moved to done. The move to done is
 * the one event a "workflows completed" figure is computed from, so it is what the lineage must list; `done` holds
 * the index of each such event in the list.
 */
function completions(agentId: string, count: number, day: number, prefix = agentId) {
  const events: { type: string }[] = [];
  const done: number[] = [];
  for (let k = 0; k < count; k++) {
    const id = `wf-${prefix}-${k}`;
    events.push(
      workflowUpserted(
        id,
        { name: `dev-story ${prefix} ${k}`, agentId, projectId: 'p-checkout', status: 'queued' },
        { occurredAt: iso(day + 8 * HOUR + k * 60_000) },
      ),
    );
    events.push(workflowTransitioned(id, 'queued', 'in_progress', { occurredAt: iso(day + 9 * HOUR + k * 60_000) }));
    done.push(events.length);
    events.push(workflowTransitioned(id, 'in_progress', 'done', { occurredAt: iso(day + 10 * HOUR + k * 60_000) }));
  }
  return { events, done };
}

/** Posts runs and returns the ids the server gave their moves to done. */
async function ingestCompletions(t: TestServer, runs: ReturnType<typeof completions>): Promise<number[]> {
  const ids = await ingestAccepted(t, runs.events);
  return runs.done.map((i) => ids[i]!.eventId);
}

// Six agents complete runs on D3: five alike (6, 7, 6, 7, 6) and one far below (1). Median 6, MAD 0.5, so the low one
// scores 0.6745 · (1 − 6) / 0.5 ≈ −6.7: beyond ±3.5, and worse (more completions are better).
const PEERS: [string, number][] = [
  ['ag-p1', 6],
  ['ag-p2', 7],
  ['ag-p3', 6],
  ['ag-p4', 7],
  ['ag-p5', 6],
  ['ag-low', 1],
];
const AGENTS = [...PEERS.map(([id]) => id), 'ag-many', 'ag-live', 'ag-recon'];

/** Ids the server gave the events that explain figures, filled in by the setup. */
const seeded = { p1DoneIds: [] as number[], manyDoneIds: [] as number[] };

async function seed(t: TestServer) {
  await ingestAccepted(
    t,
    AGENTS.map((id) => agentUpserted(id, { name: `Agent ${id.slice(3).toUpperCase()}`, type: 'dev' }, { occurredAt: iso(D5 - DAY) })),
  );
  for (const [agentId, count] of PEERS) {
    const ids = await ingestCompletions(t, completions(agentId, count, D3));
    if (agentId === 'ag-p1') seeded.p1DoneIds = ids;
  }
  // More sources than one lineage page (50): "load more" must bring the rest.
  seeded.manyDoneIds = await ingestCompletions(t, completions('ag-many', 55, D5));
  // One run done today, before now (whatever the time of day the test runs at).
  const liveAt = Math.max(TODAY, NOW - HOUR);
  await ingestAccepted(t, [
    workflowUpserted('wf-live-0', { name: 'dev-story live 0', agentId: 'ag-live', projectId: 'p-checkout', status: 'queued' }, { occurredAt: iso(liveAt) }),
    workflowTransitioned('wf-live-0', 'queued', 'in_progress', { occurredAt: iso(liveAt + 1000) }),
    workflowTransitioned('wf-live-0', 'in_progress', 'done', { occurredAt: iso(liveAt + 2000) }),
  ]);
  await waitForRollup(t);
}

/** The rollup runs after ingestion, in the background: wait until it has read everything (no expect.poll in hooks). */
async function waitForRollup(t: TestServer) {
  let last = '';
  for (const until = Date.now() + 15_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
    const res = await t.get(`/api/v1/analytics/agents/trends?kpis=workflows_completed&start=${iso(D5)}&end=${iso(TODAY + DAY)}`);
    last = `${res.status} ${(await res.text()).slice(-200)}`;
    if (res.status === 200 && last.includes('"lagEvents":0')) return;
  }
  throw new Error(`the analytics rollup did not catch up: ${last}`);
}

async function cell(page: Page, agent: string, start: string, kpi = 'workflows_completed') {
  return page.locator(`[data-testid=trend-chart][data-kpi=${kpi}] [data-testid=trend-cell][data-agent="${agent}"][data-start="${start}"]`);
}

async function openTables(page: Page) {
  for (const toggle of await page.getByTestId('trend-table-toggle').all()) await toggle.locator('summary').click();
}

describe('web app: /analytics', () => {
  const ws = browserWorkspace({ setup: seed });

  it('draws the trends of the agents and KPIs named in the URL, and keeps them across a reload', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN);
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/analytics?agents=ag-p1,ag-low&kpis=workflows_completed,failure_rate&window=7d&bucket=day`);
    await page.getByTestId('trends-ready').waitFor();
    const charts = page.getByTestId('trend-chart');
    await expect
      .poll(() => charts.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-kpi')}:${e.getAttribute('data-lines')}`)))
      .toEqual(['workflows_completed:2', 'failure_rate:2']);
    expect(await charts.first().getAttribute('data-buckets')).toBe('7');
    expect(await page.getByTestId('agent-picker-summary').textContent()).toBe('Agent LOW, Agent P1');
    expect(await page.getByTestId('kpi-picker-summary').textContent()).toBe('Workflows completed, Failure rate');
    expect(await page.locator('select[name=window]').inputValue()).toBe('7d');
    await openTables(page);
    expect(await (await cell(page, 'ag-p1', D3_ISO)).getAttribute('data-value')).toBe('6');
    expect(await (await cell(page, 'ag-low', D3_ISO)).getAttribute('data-value')).toBe('1');
    expect(await (await cell(page, 'ag-p1', D3_ISO, 'failure_rate')).textContent()).toContain('0.0%');
    // A day without runs has no value: said as "no data", never as 0.
    const empty = await cell(page, 'ag-p1', iso(D3 + DAY));
    expect(await empty.getAttribute('data-value')).toBe('');
    expect(await empty.textContent()).toBe('no data');
    await screenshot(page, 'analytics-two-agents-desktop-light');
    // Changing the selection goes to the URL and survives a reload.
    await page.getByTestId('kpi-picker').getByRole('button').first().click();
    // A click, not uncheck(): the box is controlled by the URL, which the router updates in a transition, so its state
    // may flip a frame after the click (uncheck() would call that a failed click).
    await page.getByRole('checkbox', { name: /Failure rate/ }).click();
    await page.waitForURL((u) => u.searchParams.get('kpis') === 'workflows_completed');
    await page.reload();
    await page.getByTestId('trends-ready').waitFor();
    await expect.poll(() => charts.count()).toBe(1);
    expect(await charts.first().getAttribute('data-kpi')).toBe('workflows_completed');
    await context.close();
  });

  it('shows a range without any data as no data, not as zero', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN);
    const page = await context.newPage();
    // Cost too: an agent with no cost record has no currency series at all, and must still read as no data.
    await page.goto(
      `${ws.t.url}/analytics?agents=ag-p1&kpis=workflows_completed,median_cycle_time,cost&window=custom&start=2020-01-01&end=2020-01-10&bucket=day`,
    );
    await page.getByTestId('trends-ready').waitFor();
    const charts = page.getByTestId('trend-chart');
    await expect.poll(() => charts.count()).toBe(3);
    expect(
      await charts.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-kpi')}:${e.getAttribute('data-buckets')}:${e.getAttribute('data-has-data')}`)),
    ).toEqual(['workflows_completed:9:false', 'median_cycle_time:9:false', 'cost:9:false']);
    expect(await page.getByTestId('chart-no-data').first().textContent()).toContain('No data');
    await openTables(page);
    const cells = page.getByTestId('trend-cell');
    // Each table renders when its disclosure opens: wait for all three.
    await expect.poll(() => cells.count()).toBe(27);
    expect(new Set(await cells.allTextContents())).toEqual(new Set(['no data']));
    expect(await page.getByTestId('show-sources').count()).toBe(0);
    expect(await page.getByTestId('outliers-empty').textContent()).toContain('at least 5 agents with a value the same day');
    await screenshot(page, 'analytics-no-data-desktop-light');
    await context.close();
  });

  it('lists the planted outlier first, with its signed score, method, why and a worse verdict in words', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN);
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/analytics?kpis=workflows_completed&window=7d`);
    await page.getByTestId('outliers-ready').waitFor();
    const rows = page.getByTestId('outlier-row');
    await expect.poll(() => rows.count()).toBeGreaterThan(0);
    const scores = (await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-score'))))).map(Math.abs);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const low = rows.first();
    expect(await low.getAttribute('data-agent')).toBe('ag-low');
    expect(await low.getAttribute('data-method')).toBe('peer_mad');
    expect(Number(await low.getAttribute('data-score'))).toBeCloseTo(-6.75, 1);
    expect(await low.getByTestId('outlier-score').textContent()).toMatch(/^z −6\.7\d$/);
    expect(await low.getByTestId('outlier-method').textContent()).toBe('vs other agents this day');
    expect(await low.getByTestId('outlier-why').textContent()).toMatch(/below the median 6/);
    expect(await low.getByTestId('outlier-verdict').textContent()).toContain('worse');
    expect(await low.textContent()).toContain('Agent LOW');
    await context.close();
  });

  it('opens the sources of a point: exactly the seeded events, with working links; Esc closes and focus returns', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN);
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/analytics?agents=ag-p1&kpis=workflows_completed&window=7d`);
    await page.getByTestId('trends-ready').waitFor();
    await openTables(page);
    const button = (await cell(page, 'ag-p1', D3_ISO)).getByTestId('show-sources');
    await button.click();
    const drawer = page.getByTestId('lineage-drawer');
    await drawer.waitFor();
    await expect.poll(() => drawer.getByTestId('lineage-event').count()).toBe(6);
    const metric = drawer.getByTestId('lineage-metric');
    expect(await metric.getAttribute('data-agent')).toBe('ag-p1');
    expect(await metric.getAttribute('data-value')).toBe('6');
    expect(await metric.getAttribute('data-total')).toBe('6');
    const ids = await drawer.getByTestId('lineage-event').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-event-id'))));
    expect(ids.sort((a, b) => a - b)).toEqual([...seeded.p1DoneIds].sort((a, b) => a - b));
    expect(await drawer.getByTestId('lineage-more').count()).toBe(0);
    // Focus is inside the dialog, and Esc gives it back to the button that opened it.
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('dialog') !== null)).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => drawer.count()).toBe(0);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('show-sources');
    expect(new URL(page.url()).searchParams.get('lineage')).toBeNull();
    // Each source links to its workflow, and the link works.
    await button.click();
    await drawer.getByTestId('lineage-event').first().waitFor();
    const hrefs = await drawer
      .getByTestId('lineage-link')
      .evaluateAll((els) => els.filter((e) => e.getAttribute('data-kind') === 'workflow').map((e) => e.getAttribute('href')));
    expect(hrefs.sort()).toEqual(Array.from({ length: 6 }, (_, k) => `/workflows/wf-ag-p1-${k}`).sort());
    await drawer.locator('[data-testid=lineage-link][href="/workflows/wf-ag-p1-0"]').click();
    await page.waitForURL(/\/workflows\/wf-ag-p1-0$/);
    await page.getByTestId('transition-timeline').waitFor();
    await context.close();
  });

  it('opens the sources of a point clicked on the chart itself', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN);
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/analytics?agents=ag-low&kpis=workflows_completed&window=7d`);
    const over = page.locator('[data-testid=trend-chart] .u-over');
    await over.waitFor();
    // Seven day buckets, each centred in its seventh of the plot; ag-low has one value (1) on D3, the 4th bucket, at
    // the top of a 0–1 scale.
    const box = (await over.boundingBox())!;
    const x = box.x + (box.width * 3.5) / 7;
    const y = box.y + 4;
    await page.mouse.move(x, y);
    await page.mouse.click(x, y);
    const drawer = page.getByTestId('lineage-drawer');
    await drawer.waitFor();
    expect(await drawer.getByTestId('lineage-metric').getAttribute('data-agent')).toBe('ag-low');
    await expect.poll(() => drawer.getByTestId('lineage-event').count()).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => drawer.count()).toBe(0);
    // Focus goes back to the chart the point was on. The drawer's effect cleanup does that after the dialog has left
    // the DOM (React runs passive cleanups after the commit), so on a loaded machine it can come a moment later.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.closest('[data-testid=trend-chart]')?.getAttribute('data-kpi')))
      .toBe('workflows_completed');
    await context.close();
  });

  it('pages the sources with "load more", and opens an outlier\'s sources', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN);
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/analytics?agents=ag-many&kpis=workflows_completed&window=7d`);
    await page.getByTestId('trends-ready').waitFor();
    await openTables(page);
    await (await cell(page, 'ag-many', iso(D5))).getByTestId('show-sources').click();
    const drawer = page.getByTestId('lineage-drawer');
    await expect.poll(() => drawer.getByTestId('lineage-event').count()).toBe(50);
    expect(await drawer.getByTestId('lineage-shown').textContent()).toBe('(50 of 55)');
    await drawer.getByTestId('lineage-more').click();
    await expect.poll(() => drawer.getByTestId('lineage-event').count()).toBe(55);
    expect(await drawer.getByTestId('lineage-more').count()).toBe(0);
    const ids = await drawer.getByTestId('lineage-event').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-event-id'))));
    expect(ids).toEqual([...seeded.manyDoneIds].sort((a, b) => a - b));
    // Focus stays in the dialog when the button goes away.
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('dialog') !== null)).toBe(true);
    await drawer.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => drawer.count()).toBe(0);

    await page.goto(`${ws.t.url}/analytics?kpis=workflows_completed&window=7d`);
    await page.getByTestId('outlier-row').first().getByTestId('outlier-sources').click();
    await drawer.waitFor();
    await expect.poll(() => drawer.getByTestId('lineage-event').count()).toBe(1);
    expect(await drawer.getByTestId('lineage-metric').getAttribute('data-agent')).toBe('ag-low');
    expect(await drawer.getByTestId('lineage-value').textContent()).toBe('1');
    await context.close();
  });

  it('updates the chart and its table live when new events are rolled up, without a reload', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN);
    const page = await context.newPage();
    const today = iso(TODAY);
    await page.goto(`${ws.t.url}/analytics?agents=ag-live&kpis=workflows_completed&window=7d&bucket=day`);
    await page.getByTestId('trends-ready').waitFor();
    await page.waitForSelector('[data-testid=connection-indicator][data-state=live]');
    await openTables(page);
    await expect.poll(async () => (await cell(page, 'ag-live', today)).getAttribute('data-value')).toBe('1');
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));
    const at = Math.max(TODAY, Date.now() - 60_000);
    await ingestAccepted(ws.t, [
      workflowUpserted('wf-live-new', { name: 'dev-story live', agentId: 'ag-live', projectId: 'p-checkout', status: 'queued' }, { occurredAt: iso(at) }),
      workflowTransitioned('wf-live-new', 'queued', 'in_progress', { occurredAt: iso(at + 1000) }),
      workflowTransitioned('wf-live-new', 'in_progress', 'done', { occurredAt: iso(at + 2000) }),
    ]);
    await expect.poll(async () => (await cell(page, 'ag-live', today)).getAttribute('data-value'), { timeout: 5000, interval: 100 }).toBe('2');
    expect(navigations).toEqual([]);
    await context.close();
  });

  it('says the data is stale while the connection is down, and re-reads it once the connection is back', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN);
    const page = await context.newPage();
    // The page's WebSocket goes through the test: while `down`, every connection attempt is refused.
    let down = false;
    const open: WebSocketRoute[] = [];
    await page.routeWebSocket(/\/ws$/, (socket) => {
      if (down) return void socket.close({ code: 1001, reason: 'test: server away' });
      socket.connectToServer();
      open.push(socket);
    });
    const today = iso(TODAY);
    await page.goto(`${ws.t.url}/analytics?agents=ag-recon&kpis=workflows_completed&window=7d&bucket=day`);
    await page.getByTestId('trends-ready').waitFor();
    await page.waitForSelector('[data-testid=connection-indicator][data-state=live]');
    await openTables(page);
    expect(await (await cell(page, 'ag-recon', today)).getAttribute('data-value')).toBe('');
    expect(await page.getByTestId('analytics-stale').count()).toBe(0);

    down = true;
    for (const socket of open.splice(0)) await socket.close({ code: 1001, reason: 'test: server away' });
    await page.getByTestId('analytics-stale').waitFor({ timeout: 5000 });
    expect(await page.getByTestId('stale-banner').textContent()).toContain('Agents is stale');
    // A run completes while the page cannot hear about it: its analytics_updated is lost for this page.
    const at = Math.max(TODAY, Date.now() - 60_000);
    await ingestAccepted(ws.t, [
      workflowUpserted('wf-recon', { name: 'dev-story recon', agentId: 'ag-recon', projectId: 'p-checkout', status: 'queued' }, { occurredAt: iso(at) }),
      workflowTransitioned('wf-recon', 'queued', 'in_progress', { occurredAt: iso(at + 1000) }),
      workflowTransitioned('wf-recon', 'in_progress', 'done', { occurredAt: iso(at + 2000) }),
    ]);
    await waitForRollup(ws.t);
    expect(await (await cell(page, 'ag-recon', today)).getAttribute('data-value')).toBe('');

    down = false;
    await page.getByTestId('analytics-stale').waitFor({ state: 'detached', timeout: 45_000 });
    await expect.poll(async () => (await cell(page, 'ag-recon', today)).getAttribute('data-value'), { timeout: 5000, interval: 100 }).toBe('1');
    await context.close();
  });

  it("explains an invalid custom range next to its field, by the server's own rules, without asking the server", async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN);
    const page = await context.newPage();
    const asked: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/analytics/agents/')) asked.push(r.url());
    });
    await page.goto(`${ws.t.url}/analytics?window=custom&start=2026-11-10&end=2026-11-01`);
    await page.getByTestId('end-error').waitFor();
    expect(await page.getByTestId('end-error').textContent()).toBe('The end must be after the start.');
    expect(await page.locator('input[name=end]').getAttribute('aria-invalid')).toBe('true');
    // The server refuses the same range the same way (422 on end).
    const res = await ws.t.get(`/api/v1/analytics/agents/trends?start=2026-11-10T00:00:00.000Z&end=2026-11-01T00:00:00.000Z`);
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { fields: { path: string }[] } };
    expect(body.error.fields.map((f) => f.path)).toContain('end');
    await page.locator('input[name=start]').fill('2024-01-01');
    await page.locator('input[name=end]').fill('2025-06-01');
    await expect.poll(() => page.getByTestId('end-error').textContent()).toBe('The range must be at most 400 days.');
    const res2 = await ws.t.get(`/api/v1/analytics/agents/trends?start=2024-01-01T00:00:00.000Z&end=2025-06-01T00:00:00.000Z`);
    expect(res2.status).toBe(422);
    expect(asked).toEqual([]);
    await page.locator('input[name=end]').fill('2024-02-01');
    await page.getByTestId('trends-ready').waitFor();
    expect(await page.getByTestId('end-error').count()).toBe(0);
    await context.close();
  });

  for (const [size, viewport] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    for (const theme of ['light', 'dark'] as const) {
      it(`${size} ${theme}: no horizontal overflow, no serious accessibility violation, with and without the drawer`, async () => {
        const context = await signedInContext(ws.browser, ws.t.url, ADMIN, { viewport, colorScheme: theme });
        const page = await context.newPage();
        const problems: string[] = [];
        const check = async (name: string) => {
          const o = await horizontalOverflow(page);
          if (o.scrollWidth > o.clientWidth) problems.push(`${name}: ${o.scrollWidth} > ${o.clientWidth} (${o.offenders.join('; ')})`);
          for (const v of await seriousA11yViolations(page)) problems.push(`${name}: [${v.impact}] ${v.id} ${v.help} at ${v.nodes.join(', ')}`);
          await screenshot(page, `analytics-${name}-${size}-${theme}`);
        };
        await page.goto(`${ws.t.url}/analytics?kpis=workflows_completed,failure_rate,median_cycle_time,cost&window=7d`);
        await page.locator('[data-testid=trend-chart] .u-over').first().waitFor();
        await page.getByTestId('outlier-row').first().waitFor();
        await page.waitForSelector('[data-testid=connection-indicator][data-state=live]');
        if (size === 'phone') {
          // Charts stack on a phone: one column.
          const lefts = await page.getByTestId('trend-chart').evaluateAll((els) => new Set(els.map((e) => Math.round(e.getBoundingClientRect().left))).size);
          expect(lefts).toBe(1);
        }
        await check('page');
        await page.getByTestId('outlier-sources').first().click();
        await page.getByTestId('lineage-event').first().waitFor();
        await check('drawer');
        // The drawer is fixed to the viewport: a full-page capture misplaces it, so this one shows what a person sees.
        await page.screenshot({ path: path.join(SCREENSHOT_DIR, `analytics-drawer-viewport-${size}-${theme}.png`) });
        expect(problems).toEqual([]);
        await context.close();
      });
    }
  }
});
