import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ADMIN } from '../support/test-server.js';
import { DESKTOP, horizontalOverflow, PHONE, screenshot, seriousA11yViolations, signedInContext } from './support/browser.js';
import { browserWorkspace, signInThroughForm } from './support/fixture.js';
import { textOverflows } from './support/text-overflow.js';

const OPERATOR = { email: 'olga@example.test', password: 'operator password 1' };
const NEW_PERSON = { email: 'nina@example.test', name: 'Nina Newcomer' };

/** The settings pages, with what proves each finished rendering. */
const PAGES: { name: string; path: string; ready: (page: Page) => Promise<unknown> }[] = [
  { name: 'settings-people', path: '/settings/people', ready: (p) => p.getByTestId('person-row').first().waitFor() },
  { name: 'settings-keys', path: '/settings/keys', ready: (p) => p.getByTestId('key-row').first().waitFor() },
  { name: 'settings-audit', path: '/settings/audit', ready: (p) => p.getByTestId('audit-row').first().waitFor() },
  { name: 'settings-audit-accounts', path: '/settings/audit?action=user.*', ready: (p) => p.getByTestId('audit-row').first().waitFor() },
];

async function managerPage(
  ws: ReturnType<typeof browserWorkspace>,
  opts: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await signedInContext(ws.browser, ws.t.url, ADMIN, opts);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ws.t.url });
  return { context, page: await context.newPage() };
}

/** Layout and accessibility problems of what is on screen now, as readable lines. */
async function problemsOf(page: Page, name: string): Promise<string[]> {
  const problems: string[] = [];
  const o = await horizontalOverflow(page);
  if (o.scrollWidth > o.clientWidth) problems.push(`${name}: page is ${o.scrollWidth}px wide in a ${o.clientWidth}px viewport (${o.offenders.join('; ')})`);
  for (const x of await textOverflows(page)) problems.push(`${name}: ${x.problem} — ${x.where} — "${x.text}"`);
  for (const v of await seriousA11yViolations(page)) problems.push(`${name}: [${v.impact}] ${v.id} ${v.help} at ${v.nodes.join(', ')}`);
  return problems;
}

describe('web app: Settings → People, API keys and Audit', () => {
  const ws = browserWorkspace({
    setup: async (t) => {
      await t.server.core.auth.createUser({ ...OPERATOR, role: 'operator', displayName: 'Olga Operator' }, { actorType: 'system', actorId: null });
    },
  });

  it('a manager invites a person and copies the one-time password; the person signs in, chooses a password and lands on the app', async () => {
    const { context, page } = await managerPage(ws);
    await page.goto(`${ws.t.url}/workflows`);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL(/\/settings\/people$/);
    await page.getByTestId('person-row').first().waitFor();

    await page.getByRole('button', { name: 'Invite a person' }).click();
    const dialog = page.getByTestId('invite-dialog');
    await dialog.getByLabel('Email').fill(NEW_PERSON.email);
    await dialog.getByLabel('Name').fill(NEW_PERSON.name);
    await dialog.getByLabel(/^Operator/).check();
    await dialog.getByRole('button', { name: 'Invite', exact: true }).click();
    const secret = dialog.getByTestId('one-time-password-value');
    await secret.waitFor();
    expect(await dialog.textContent()).toContain('must be changed at first sign-in');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Copy' }).click();
    await dialog.getByText('Copied to the clipboard.').waitFor();
    const otp = await page.evaluate(() => navigator.clipboard.readText());
    expect(otp).toBe(await secret.inputValue());
    expect(otp.length).toBeGreaterThanOrEqual(12);
    await screenshot(page, 'settings-invite-password-desktop-light');
    await dialog.getByRole('button', { name: 'Done' }).click();
    const row = page.locator(`[data-testid=person-row][data-email="${NEW_PERSON.email}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Must choose a password');
    expect(await row.getByLabel(`Role of ${NEW_PERSON.name}`).inputValue()).toBe('operator');

    // The invited person, in a browser of their own, through the login page.
    const theirs = await ws.browser.newContext({ viewport: PHONE });
    const them = await theirs.newPage();
    await them.goto(`${ws.t.url}/workflows`);
    await them.waitForURL(/\/login/);
    await signInThroughForm(them, { email: NEW_PERSON.email, password: otp });
    await them.getByRole('heading', { name: 'Choose your password' }).waitFor();
    await them.getByLabel('Current password').fill(otp);
    await them.locator('input[name=new-password]').fill('nina chose this one');
    await them.getByLabel('New password again').fill('nina chose this one');
    await them.getByRole('button', { name: 'Save and continue' }).click();
    await them.getByTestId('workflow-row').first().waitFor();
    expect(new URL(them.url()).pathname).toBe('/workflows');
    // An operator: no Settings in the menu, and the address says who it is for.
    await them.getByRole('button', { name: 'Menu' }).click();
    expect(await them.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).count()).toBe(0);
    await them.goto(`${ws.t.url}/settings/people`);
    await them.getByTestId('managers-only').waitFor();
    expect(await them.getByTestId('managers-only').textContent()).toContain('managers only');
    await theirs.close();

    await page.reload();
    await row.waitFor();
    expect(await row.textContent()).not.toContain('Must choose a password');
    await context.close();
  });

  it('a manager changes a role inline, and disables a person after confirming: their open dashboard is signed out at once', async () => {
    const theirs = await signedInContext(ws.browser, ws.t.url, OPERATOR);
    const them = await theirs.newPage();
    await them.goto(`${ws.t.url}/workflows`);
    await them.waitForSelector('[data-testid=connection-indicator][data-state=live]');
    const { context, page } = await managerPage(ws);
    await page.goto(`${ws.t.url}/settings/people`);
    const olga = page.locator(`[data-testid=person-row][data-email="${OPERATOR.email}"]`);
    await olga.waitFor();
    const patched = page.waitForResponse((r) => r.url().includes('/api/v1/admin/users/') && r.request().method() === 'PATCH');
    await olga.getByLabel('Role of Olga Operator').selectOption('viewer');
    expect((await patched).status()).toBe(200);
    await expect.poll(() => page.getByTestId('toast').first().textContent()).toContain('Olga Operator is now viewer');

    await olga.getByRole('button', { name: 'Disable Olga Operator' }).click();
    const confirm = page.getByTestId('confirm-dialog');
    expect(await confirm.textContent()).toContain('signed out at once');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect(await olga.textContent()).toContain('Active');
    await olga.getByRole('button', { name: 'Disable Olga Operator' }).click();
    await confirm.getByRole('button', { name: 'Disable' }).click();
    await expect.poll(() => olga.textContent()).toContain('Disabled');
    // The socket is closed by the server as the account is disabled; the app then finds its session gone.
    await them.waitForURL(/\/login/, { timeout: 3000 });
    await theirs.close();
    // Your own row offers nothing that could lock you out.
    const mine = page.locator(`[data-testid=person-row][data-email="${ADMIN.email}"]`);
    expect(await mine.getByRole('button').count()).toBe(0);
    expect(await mine.getByLabel('Role of Administrator').isDisabled()).toBe(true);
    await olga.getByRole('button', { name: 'Enable' }).click();
    await expect.poll(() => olga.textContent()).toContain('Active');
    await olga.getByLabel('Role of Olga Operator').selectOption('operator');
    await expect.poll(() => page.getByTestId('toast').last().textContent()).toContain('Olga Operator is now operator');
    await context.close();
  });

  it('a manager creates a key (shown once, copied), it ingests; revoked after confirming, it is refused', async () => {
    const { context, page } = await managerPage(ws);
    await page.goto(`${ws.t.url}/settings/keys`);
    await page.getByTestId('key-row').first().waitFor();
    await page.getByRole('button', { name: 'Create a key' }).click();
    const dialog = page.getByTestId('create-key-dialog');
    await dialog.getByRole('textbox', { name: /^Name/ }).fill('CI connector');
    expect(await dialog.textContent()).toContain('ci-connector');
    await dialog.getByLabel('Project').selectOption({ label: 'Checkout revamp' });
    await dialog.getByLabel('Expires').selectOption('90');
    // The server's own sources are refused as they are typed.
    await dialog.getByLabel('These sources').check();
    await dialog.getByLabel('Sources, separated by commas').fill('ci-connector, bmad-ops-ui');
    await dialog.getByText('is the server’s own').waitFor();
    expect(await dialog.getByRole('button', { name: 'Create key' }).isDisabled()).toBe(true);
    await dialog.getByLabel('Sources, separated by commas').fill('ci-connector');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Create key' }).click();
    const created = page.getByTestId('key-created-dialog');
    const value = created.getByTestId('api-key-value');
    await value.waitFor();
    const key = await value.inputValue();
    expect(key).toMatch(/^bmo_/);
    expect(await created.textContent()).toContain('Checkout revamp only');
    await created.getByRole('button', { name: 'Copy' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    await screenshot(page, 'settings-key-created-desktop-light');
    await created.getByRole('button', { name: 'Done' }).click();

    const row = page.locator('[data-testid=key-row][data-key-name="CI connector"]');
    await row.waitFor();
    const text = await row.textContent();
    expect(text).toContain('Checkout revamp');
    expect(text).toContain('made by Administrator');
    expect(text).not.toContain('p-checkout');

    const send = () =>
      fetch(`${ws.t.url}/api/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          events: [
            {
              id: `ci-${Date.now()}`,
              source: 'ci-connector',
              type: 'project.upserted',
              occurredAt: new Date().toISOString(),
              entity: { type: 'project', id: 'p-checkout' },
              payload: { name: 'Checkout revamp', status: 'in_progress' },
            },
          ],
        }),
      });
    expect((await send()).status).toBe(200);

    await row.getByRole('button', { name: 'Revoke CI connector' }).click();
    const confirm = page.getByTestId('confirm-dialog');
    expect(await confirm.textContent()).toContain('cannot be undone');
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await expect.poll(() => row.getAttribute('data-state')).toBe('revoked');
    expect((await send()).status).toBe(401);
    await context.close();
  });

  it('the audit page lists these actions by name, with filters kept in the URL, and pages back', async () => {
    const { context, page } = await managerPage(ws);
    await page.goto(`${ws.t.url}/settings/audit`);
    await page.getByTestId('audit-row').first().waitFor();
    await page.getByLabel('Action').selectOption('key.*');
    await page.waitForURL(/action=key\.\*/);
    await expect
      .poll(async () =>
        (await page.getByTestId('audit-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')))).every((a) => a?.startsWith('key.')),
      )
      .toBe(true);
    await page.getByLabel('Outcome').selectOption('success');
    await page.waitForURL(/outcome=success/);
    await page.reload();
    await page.getByTestId('audit-row').first().waitFor();
    expect(await page.getByLabel('Action').inputValue()).toBe('key.*');
    const rows = await page.getByTestId('audit-row').allTextContents();
    const ci = rows.filter((r) => r.includes('CI connector'));
    expect(ci.some((r) => r.includes('Revoked API key') && r.includes('Administrator'))).toBe(true);
    expect(ci.some((r) => r.includes('Created API key') && r.includes('project Checkout revamp'))).toBe(true);
    expect(rows.join(' ')).not.toMatch(/\b[0-9a-f]{12}\b/);

    // From a person's row to their activity: the filter names them.
    await page.goto(`${ws.t.url}/settings/people`);
    await page.getByRole('link', { name: `Activity of ${NEW_PERSON.name}` }).click();
    await page.getByTestId('target-filter').waitFor();
    expect(await page.getByTestId('target-filter').textContent()).toContain(NEW_PERSON.name);
    const actions = await page.getByTestId('audit-row').evaluateAll((els) => els.map((r) => r.getAttribute('data-action')));
    expect(actions).toEqual(expect.arrayContaining(['user.create', 'user.change_password', 'auth.login']));

    // Enough sign-ins to need a second page.
    for (let i = 0; i < 55; i++)
      await fetch(`${ws.t.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    await page.goto(`${ws.t.url}/settings/audit?action=auth.login`);
    await page.getByTestId('audit-row').first().waitFor();
    expect(await page.getByTestId('audit-row').count()).toBe(50);
    await page.getByRole('button', { name: 'Show older entries' }).click();
    await expect.poll(() => page.getByTestId('audit-row').count()).toBeGreaterThan(50);
    await context.close();
  });

  it('an operator sees no Settings and is told the pages are for managers', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, OPERATOR);
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/workflows`);
    await page.getByTestId('workflow-row').first().waitFor();
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).count()).toBe(0);
    for (const p of PAGES) {
      await page.goto(`${ws.t.url}${p.path}`);
      await page.getByTestId('managers-only').waitFor();
    }
    expect(await seriousA11yViolations(page)).toEqual([]);
    await context.close();
  });

  for (const size of [
    { label: 'phone', viewport: PHONE },
    { label: 'desktop', viewport: DESKTOP },
  ] as const) {
    for (const theme of ['light', 'dark'] as const) {
      it(`${size.label} ${theme}: settings pages and dialogs fit, read and pass axe; screenshots saved`, async () => {
        const { context, page } = await managerPage(ws, { viewport: size.viewport, colorScheme: theme });
        const problems: string[] = [];
        for (const p of PAGES) {
          await page.goto(`${ws.t.url}${p.path}`);
          await p.ready(page);
          expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
          problems.push(...(await problemsOf(page, p.name)));
          await screenshot(page, `${p.name}-${size.label}-${theme}`);
        }
        // A one-time password as a phone or desktop shows it (here after a reset).
        await page.goto(`${ws.t.url}/settings/people`);
        await page.getByRole('button', { name: 'Reset password of Olga Operator' }).click();
        await page.getByTestId('confirm-dialog').getByRole('button', { name: 'Reset password' }).click();
        await page.getByTestId('one-time-password-value').waitFor();
        problems.push(...(await problemsOf(page, 'reset-password-dialog')));
        await screenshot(page, `settings-reset-password-${size.label}-${theme}`);

        await page.goto(`${ws.t.url}/settings/keys`);
        await page.getByRole('button', { name: 'Create a key' }).click();
        await page.getByTestId('create-key-dialog').getByRole('textbox', { name: /^Name/ }).fill('Layout check');
        problems.push(...(await problemsOf(page, 'create-key-dialog')));
        await screenshot(page, `settings-create-key-${size.label}-${theme}`);
        await context.close();
        expect(problems).toEqual([]);
      });
    }
  }
});
