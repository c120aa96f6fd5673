import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { consistencyRunsRepository } from '../../src/server/modules/consistency/consistency-runs.repository.js';
import { syncReported, workflowUpserted } from '../support/events.js';
import { ingestAccepted } from '../support/ingest.js';
import { ADMIN, type TestServer } from '../support/test-server.js';
import { DESKTOP, horizontalOverflow, PHONE, screenshot, seriousA11yViolations, signedInContext } from './support/browser.js';
import { browserWorkspace } from './support/fixture.js';
import { textOverflows } from './support/text-overflow.js';

/**
 * Issue 14 §2: /status shows the SLIs live. A real server samples every 500 ms; the page must show the sampled
 * values, follow new samples without a reload, keep missing data "unavailable", and read well at 390 and 1440 px in
 * both themes.
 */

let seq = 0;

/** A source per module state: workflows fresh, projects failing (stale), and a consistency check that passed. */
async function plant(t: TestServer): Promise<void> {
  const now = Date.now();
  await ingestAccepted(t, [
    syncReported('ci-runner', 'workflow', 'ok', { expectedIntervalMs: 60_000 }, { occurredAt: new Date(now - 1000).toISOString() }),
    syncReported(
      'tracker-import',
      'project',
      'failed',
      { error: 'tracker answered 503', expectedIntervalMs: 60_000 },
      { occurredAt: new Date(now - 500).toISOString() },
    ),
  ]);
  const db = t.server.core.db.write;
  const id = await consistencyRunsRepository.start(db, { startedAt: new Date(now - 3000).toISOString(), trigger: 'schedule', throughEventId: 1 });
  await consistencyRunsRepository.finish(db, id, { finishedAt: new Date(now - 1800).toISOString(), durationMs: 1200, result: 'ok', findings: 0, details: {} });
}

const figure = (page: Page, id: string) => page.locator(`[data-testid=sli-figure][data-figure="${id}"] dd`);

/** Opens /status and waits for the page, its charts and the live connection. */
async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('status-ready').waitFor();
  await page.waitForSelector('[data-testid=connection-indicator][data-state=live]');
  await page.waitForFunction(() => {
    const charts = document.querySelectorAll('[data-testid=sli-chart]').length;
    return charts > 0 && document.querySelectorAll('[data-testid=time-series-chart]').length === charts;
  });
}

/** Events the open page receives and acknowledges, so event → UI latency has something to measure. */
async function feed(t: TestServer, n: number): Promise<void> {
  await ingestAccepted(
    t,
    Array.from({ length: n }, () => workflowUpserted(`wf-status-${++seq}`, { projectId: 'p-checkout' })),
  );
}

describe('the status page', () => {
  const ws = browserWorkspace({ config: { status: { sampleIntervalMs: 500 }, consistency: { intervalMs: 0 } }, setup: plant });

  it('shows the sampled SLIs and follows new samples live, without a reload', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN, { viewport: DESKTOP });
    const page = await context.newPage();
    let navigations = 0;
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) navigations++;
    });
    await open(page, `${ws.t.url}/status`);
    const loads = navigations;
    // Nothing acknowledged yet on this server: unavailable, never "0 ms".
    const acks = Number(await page.locator('[data-testid=sli-figure][data-figure="event-to-ui-acks"] dd').textContent());
    if (acks === 0) await expect(figure(page, 'event-to-ui-p95').textContent()).resolves.toBe('unavailable');

    const before = Number((await figure(page, 'ingest-accepted-total').textContent())!.replace(/\D/g, ''));
    const sampledBefore = await page.getByTestId('status-ready').getAttribute('data-sampled-at');
    await feed(ws.t, 3);
    // The counter comes from the registry and the p95 from the next sample: both arrive through status_updated.
    await page.waitForFunction(
      (n) => document.querySelector('[data-figure="ingest-accepted-total"] dd')?.textContent?.replace(/\D/g, '') === String(n),
      before + 3,
    );
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-figure="event-to-ui-p95"] dd')?.textContent ?? ''), undefined, {
      timeout: 10_000,
    });
    expect(await page.getByTestId('status-ready').getAttribute('data-sampled-at')).not.toBe(sampledBefore);
    expect(navigations).toBe(loads);

    // What the page says is what the API says (the states are the server's).
    const api = (await (await ws.t.get('/api/v1/status')).json()) as { slos: { key: string; state: string }[] };
    for (const s of api.slos) {
      if (s.key === 'event_to_ui' || s.key === 'stale_sessions' || s.key === 'write_lock_wait' || s.key === 'rollup_lag') continue; // move with every sample
      await expect(page.locator(`#slo-${s.key}`).getAttribute('data-state')).resolves.toBe(s.state);
    }
    await expect(page.locator('[data-testid=module-row][data-module=project]').getAttribute('data-state')).resolves.toBe('breached');
    await expect(page.locator('[data-testid=module-row][data-module=project] [data-testid=module-why]').textContent()).resolves.toContain(
      'tracker answered 503',
    );
    await expect(page.locator('[data-testid=module-row][data-module=workflow]').getAttribute('data-state')).resolves.toBe('met');
    await expect(page.locator('[data-testid=module-row][data-module=cost]').getAttribute('data-state')).resolves.toBe('no_data');
    await expect(page.locator('#slo-consistency').getAttribute('data-state')).resolves.toBe('met');
    // The summary names what is not met: project freshness is breached.
    await page.locator('[data-testid=slo-summary-item][data-slo=freshness]').waitFor();

    // The 24-hour view: 5-minute buckets, kept in the database.
    await page.getByTestId('window-24h').click();
    await page.waitForSelector('[data-testid=status-ready][data-window="24h"]');
    expect(new URL(page.url()).searchParams.get('window')).toBe('24h');
    await expect(page.locator('[data-testid=time-series-chart]').first().getAttribute('data-points')).resolves.toBe('288');
    await context.close();
  });

  it('lets a manager run a consistency check from the page and shows its result', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN, { viewport: DESKTOP });
    const page = await context.newPage();
    await open(page, `${ws.t.url}/status`);
    await page.getByTestId('verify-now').click();
    await page.getByTestId('verify-result').getByText('No difference: every read model equals its rebuild from the log').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid=sli-figure][data-figure="consistency-trigger"] dd')?.textContent === 'by a manager');
    await context.close();
  });

  for (const viewport of [PHONE, DESKTOP]) {
    for (const theme of ['light', 'dark'] as const) {
      it(`${viewport.width} px ${theme}: no overflow, no text out of its box, no serious axe violation; screenshots`, async () => {
        const context = await signedInContext(ws.browser, ws.t.url, ADMIN, { viewport, colorScheme: theme });
        const page = await context.newPage();
        await open(page, `${ws.t.url}/status`);
        await feed(ws.t, 2);
        await page.waitForFunction(() => /\d/.test(document.querySelector('[data-figure="event-to-ui-p95"] dd')?.textContent ?? ''), undefined, {
          timeout: 10_000,
        });
        expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
        const problems: string[] = [];
        for (const view of ['15m', '24h'] as const) {
          if (view === '24h') {
            await page.getByTestId('window-24h').click();
            await page.waitForSelector('[data-testid=status-ready][data-window="24h"]');
            await page.waitForFunction(
              () => document.querySelectorAll('[data-testid=time-series-chart]').length === document.querySelectorAll('[data-testid=sli-chart]').length,
            );
          }
          const o = await horizontalOverflow(page);
          if (o.scrollWidth > o.clientWidth) problems.push(`${view}: page is ${o.scrollWidth}px wide in ${o.clientWidth}px (${o.offenders.join('; ')})`);
          for (const x of await textOverflows(page)) problems.push(`${view}: ${x.problem} — ${x.where} — "${x.text}"`);
          for (const v of await seriousA11yViolations(page)) problems.push(`${view}: [${v.impact}] ${v.id} ${v.help} at ${v.nodes.join(', ')}`);
          await screenshot(page, `status-${view}-${viewport.width}-${theme}`);
        }
        await context.close();
        expect(problems).toEqual([]);
      });
    }
  }
});
