import { describe, expect, it } from 'vitest';
import { workflowTransitioned, workflowUpserted } from '../support/events.js';
import { ingestAccepted } from '../support/ingest.js';
import { ADMIN } from '../support/test-server.js';
import { browserWorkspace, signInThroughForm } from './support/fixture.js';

describe('web app: sign in and live workflows', () => {
  const ws = browserWorkspace();

  it('signs in through the login page, shows who is signed in, and lists workflows', async () => {
    const context = await ws.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/workflows?status=blocked`);
    await page.waitForURL(/\/login\?next=/);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill('wrong password!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Email or password is wrong');
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back where the user was going, with the filter they asked for.
    await page.waitForURL(/\/workflows\?status=blocked$/);
    await expect.poll(() => page.getByTestId('workflow-row').count()).toBe(1);
    expect(await page.getByTestId('workflow-row').first().getAttribute('data-workflow-id')).toBe('w-3');
    expect(await page.getByTestId('current-role').textContent()).toBe('manager');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
    await context.close();
  });

  it('shows an ingested event on the page within 3 s, without a reload, and updates a row in place', async () => {
    const context = await ws.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/login`);
    await signInThroughForm(page, ADMIN);
    await page.waitForURL(/\/workflows$/);
    await expect.poll(() => page.getByTestId('workflow-row').count()).toBe(6);
    await page.waitForSelector('[data-testid=connection-indicator][data-state=live]');
    // A marker that a reload would wipe.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

    const sentAt = Date.now();
    await ingestAccepted(ws.t, [
      workflowUpserted(
        'w-live',
        { name: 'dev-story live', projectId: 'p-checkout', agentId: 'a-dev', status: 'in_progress' },
        { occurredAt: new Date().toISOString() },
      ),
    ]);
    await page.waitForSelector('[data-workflow-id="w-live"]', { timeout: 3000 });
    const seenAfterMs = Date.now() - sentAt;

    await ingestAccepted(ws.t, [workflowTransitioned('w-2', 'in_progress', 'failed', { occurredAt: new Date().toISOString() }, { reason: 'out of budget' })]);
    await page.waitForSelector('[data-workflow-id="w-2"][data-status=failed]', { timeout: 3000 });
    // Patched in place and highlighted, not re-rendered from a reload.
    expect(await page.locator('[data-workflow-id="w-2"]').getAttribute('data-flashed')).not.toBeNull();
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    expect(seenAfterMs).toBeLessThan(3000);
    await context.close();
  });

  it('shows the transition timeline of a workflow: who, when and why', async () => {
    const context = await ws.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/login?next=/workflows/w-3`);
    await signInThroughForm(page, ADMIN);
    const timeline = page.getByTestId('transition-timeline');
    await timeline.waitFor();
    const text = (await timeline.textContent()) ?? '';
    expect(text).toContain('waiting for the payments sandbox');
    expect(text).toContain('Amelia (dev)');
    expect(await timeline.locator('li').count()).toBe(2);
    await context.close();
  });
});
