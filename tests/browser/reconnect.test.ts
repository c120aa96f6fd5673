import { spawnSync } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowUpserted } from '../support/events.js';
import { tempDir } from '../support/test-server.js';
import { freePort, REPO_ROOT, startServerProcess, type ServerProcess } from '../crash/server-process.js';
import { launchBrowser, signedInContext } from './support/browser.js';
import { workspaceEvents } from './support/workspace.js';

const ADMIN = { email: 'admin@example.test', password: 'correct horse battery staple' };
const ENV = { BMAD_OPS_ADMIN_EMAIL: ADMIN.email, BMAD_OPS_ADMIN_PASSWORD: ADMIN.password, BMAD_OPS_LOG_LEVEL: 'warn' };

function createIngestKey(dataDir: string): string {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/server/cli/main.ts', 'key', 'create', '--name', 'browser-test', '--scope', 'ingest', '--source', 'test', '--data-dir', dataDir],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`key create failed: ${r.stderr}`);
  return r.stdout.trim();
}

describe('web app: the server dies and comes back', () => {
  let browser: Browser;
  let server: ServerProcess | undefined;
  let dataDir: string;
  let port: number;
  let key: string;
  const start = async () => (server = await startServerProcess({ port, dataDir, env: ENV, startTimeoutMs: 30_000 }));
  const ingest = async (events: unknown[]) => {
    const res = await fetch(`${server!.url}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
  };
  const now = () => ({ occurredAt: new Date().toISOString() });

  beforeAll(async () => {
    dataDir = tempDir();
    port = await freePort();
    key = createIngestKey(dataDir);
    await start();
    await ingest(workspaceEvents());
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('labels every module stale while the server is gone, clears only after resync, and misses no event', async () => {
    const context = await signedInContext(browser, server!.url, ADMIN);
    const page = await context.newPage();
    await page.goto(`${server!.url}/workflows`);
    await page.waitForSelector('[data-testid=connection-indicator][data-state=live]');
    await ingest([workflowUpserted('w-before', { name: 'before the crash', status: 'in_progress' }, now())]);
    await page.waitForSelector('[data-workflow-id="w-before"]', { timeout: 3000 });
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));
    expect(await page.getByTestId('stale-banner').count()).toBe(0);

    await server!.kill9();
    const banner = page.getByTestId('stale-banner');
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.textContent()).toMatch(/Live updates paused.*Workflows is stale since .*connection lost/);
    expect(await page.getByTestId('connection-indicator').getAttribute('data-state')).toMatch(/reconnecting|connecting/);
    // Navigating within the app while offline keeps the label on the other modules too.
    await page.getByRole('link', { name: 'Projects' }).click();
    await page.getByTestId('stale-banner').waitFor();
    expect(await page.getByTestId('stale-banner').textContent()).toContain('Projects is stale');
    await page.getByRole('link', { name: 'Workflows' }).click();

    await start();
    // Events committed while this browser is still away: it must get them by replay, not by luck.
    await ingest([
      workflowUpserted('w-gap-1', { name: 'during the gap 1', status: 'queued' }, now()),
      workflowUpserted('w-gap-2', { name: 'during the gap 2', status: 'blocked' }, now()),
    ]);
    await page.getByTestId('stale-banner').waitFor({ state: 'detached', timeout: 45_000 });
    expect(await page.getByTestId('connection-indicator').getAttribute('data-state')).toBe('live');
    await ingest([workflowUpserted('w-after', { name: 'after the restart', status: 'failed' }, now())]);
    for (const id of ['w-before', 'w-gap-1', 'w-gap-2', 'w-after']) await page.waitForSelector(`[data-workflow-id="${id}"]`, { timeout: 3000 });
    expect(await page.getByTestId('workflow-row').count()).toBe(6 + 4);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(7);
    await context.close();
  });
});
