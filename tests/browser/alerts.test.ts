import { createHmac } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpReceiver } from '../support/http-receiver.js';
import { ADMIN } from '../support/test-server.js';
import { DESKTOP, horizontalOverflow, PHONE, screenshot, seriousA11yViolations, signedInContext } from './support/browser.js';
import { browserWorkspace } from './support/fixture.js';
import { textOverflows } from './support/text-overflow.js';

/** Layout and accessibility problems of what is on screen now, as readable lines. */
async function problemsOf(page: Page, name: string): Promise<string[]> {
  const problems: string[] = [];
  const o = await horizontalOverflow(page);
  if (o.scrollWidth > o.clientWidth) problems.push(`${name}: page is ${o.scrollWidth}px wide in a ${o.clientWidth}px viewport (${o.offenders.join('; ')})`);
  for (const x of await textOverflows(page)) problems.push(`${name}: ${x.problem} — ${x.where} — "${x.text}"`);
  for (const v of await seriousA11yViolations(page)) problems.push(`${name}: [${v.impact}] ${v.id} ${v.help} at ${v.nodes.join(', ')}`);
  return problems;
}

/** A second manager, who reads nothing: their bell still counts what fired when the layout is checked. */
const MIA = { email: 'mia@example.test', password: 'mia manager password' };

describe('web app: Settings → Alerts and the notification bell', () => {
  const ws = browserWorkspace({
    setup: async (t) => {
      await t.server.core.auth.createUser({ ...MIA, role: 'manager', displayName: 'Mia Manager' }, { actorType: 'system', actorId: null });
    },
  });
  const receiver = new HttpReceiver();
  let secret = '';
  beforeAll(() => receiver.start());
  afterAll(() => receiver.close());

  const managerPage = async (
    opts: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {},
    who = ADMIN,
  ): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await signedInContext(ws.browser, ws.t.url, who, opts);
    return { context, page: await context.newPage() };
  };

  it('a manager adds a webhook channel and a rule; the blocked run fires a signed webhook and the bell shows it', async () => {
    const { context, page } = await managerPage();
    await page.goto(`${ws.t.url}/settings`);
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Alerts' }).click();
    await page.waitForURL(/\/settings\/alerts$/);
    await page.getByText('No rules yet').waitFor();
    expect(await page.getByTestId('notification-bell').getAttribute('data-unread')).toBe('0');

    await page.getByRole('button', { name: 'Add a channel' }).click();
    const channelDialog = page.getByTestId('channel-dialog');
    await channelDialog.getByRole('textbox', { name: /^Name/ }).fill('Ops webhook');
    await channelDialog.getByRole('textbox', { name: /^URL/ }).fill(`${receiver.url}/hook`);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await channelDialog.getByRole('button', { name: 'Add channel' }).click();
    const created = page.getByTestId('channel-secret-dialog');
    secret = await created.getByTestId('channel-secret-value').inputValue();
    expect(secret.length).toBeGreaterThanOrEqual(32);
    await created.getByRole('button', { name: 'Done' }).click();
    const channelRow = page.locator('[data-testid=channel-row][data-channel-name="Ops webhook"]');
    await channelRow.waitFor();
    expect(await channelRow.textContent()).toContain('secret set');
    expect(await channelRow.textContent()).not.toContain(secret);

    await page.getByRole('button', { name: 'Add a rule' }).click();
    const ruleDialog = page.getByTestId('rule-dialog');
    await ruleDialog.getByRole('textbox', { name: /^Name/ }).fill('Blocked runs');
    await ruleDialog.getByLabel('Alert when').selectOption('workflow_stuck');
    await ruleDialog.getByLabel('Project').selectOption({ label: 'Checkout revamp' });
    await ruleDialog.getByRole('spinbutton', { name: /^Fire after/ }).fill('0');
    await ruleDialog.getByRole('spinbutton', { name: /^Repeat every/ }).fill('60');
    await ruleDialog.getByRole('checkbox', { name: /Ops webhook/ }).check();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'settings-alerts-rule-dialog-desktop-light');
    await ruleDialog.getByRole('button', { name: 'Add rule' }).click();
    const ruleRow = page.locator('[data-testid=rule-row][data-rule-name="Blocked runs"]');
    await ruleRow.waitFor();

    // The new rule is evaluated at once: the blocked run of Checkout revamp fires, live to the bell and to the webhook.
    await expect.poll(() => page.getByTestId('notification-bell').getAttribute('data-unread'), { timeout: 10_000 }).not.toBe('0');
    await screenshot(page, 'settings-alerts-fired-desktop-light');
    await receiver.waitFor('/hook', 1);
    const hook = receiver.on('/hook')[0]!;
    const signed = `sha256=${createHmac('sha256', secret)
      .update(`${String(hook.headers['x-bmad-ops-timestamp'])}.${hook.body}`)
      .digest('hex')}`;
    expect(hook.headers['x-bmad-ops-signature']).toBe(signed);
    expect(JSON.parse(hook.body)).toMatchObject({ type: 'alert.fired', alert: { rule: { name: 'Blocked runs' }, project: { name: 'Checkout revamp' } } });
    await expect.poll(() => ruleRow.textContent(), { timeout: 10_000 }).toMatch(/\d+ firing/);
    await expect.poll(() => channelRow.textContent(), { timeout: 10_000 }).toContain('Delivered');
    // Names, never ids.
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).not.toMatch(/rule-[0-9a-f]{8}|channel-[0-9a-f]{8}|p-checkout/);

    await page.getByTestId('notification-bell').click();
    const drawer = page.getByTestId('notifications-drawer');
    const first = drawer.getByTestId('notification').first();
    await first.waitFor();
    expect(await first.textContent()).toContain('Blocked runs');
    expect(await first.textContent()).toContain('Checkout revamp');
    expect(await first.getAttribute('data-read')).toBe('false');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'notifications-drawer-desktop-light');
    await drawer.getByRole('button', { name: 'Mark all as read' }).click();
    await expect.poll(() => page.getByTestId('notification-bell').getAttribute('data-unread')).toBe('0');
    await drawer.getByRole('button', { name: 'Close' }).click();
    await context.close();
  });

  for (const size of [
    { label: 'phone', viewport: PHONE },
    { label: 'desktop', viewport: DESKTOP },
  ] as const) {
    for (const theme of ['light', 'dark'] as const) {
      it(`${size.label} ${theme}: the Alerts page, its rule dialog and the notifications fit, read and pass axe; screenshots saved`, async () => {
        const { context, page } = await managerPage({ viewport: size.viewport, colorScheme: theme }, MIA);
        const problems: string[] = [];
        await page.goto(`${ws.t.url}/settings/alerts`);
        await page.getByTestId('rule-row').first().waitFor();
        await page.getByTestId('channel-row').first().waitFor();
        // Mia has read nothing: the bell shows the count, on a phone as on a desktop.
        await expect.poll(() => page.getByTestId('notification-bell').getAttribute('data-unread')).toBe('2');
        expect(await page.getByTestId('notification-bell').isVisible()).toBe(true);
        expect(await page.getByTestId('notification-bell').getAttribute('aria-label')).toBe('Notifications, 2 unread');
        expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
        problems.push(...(await problemsOf(page, 'settings-alerts')));
        await screenshot(page, `settings-alerts-${size.label}-${theme}`);

        await page.getByRole('button', { name: 'Edit rule Blocked runs' }).click();
        await page.getByTestId('rule-dialog').waitFor();
        problems.push(...(await problemsOf(page, 'rule-dialog')));
        await screenshot(page, `settings-alerts-rule-${size.label}-${theme}`);
        await page.getByTestId('rule-dialog').getByRole('button', { name: 'Cancel' }).click();

        await page.getByTestId('notification-bell').click();
        await page.getByTestId('notifications-drawer').getByTestId('notification').first().waitFor();
        problems.push(...(await problemsOf(page, 'notifications')));
        await screenshot(page, `notifications-${size.label}-${theme}`);
        await context.close();
        expect(problems).toEqual([]);
      });
    }
  }
});
