import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startOidcProvider, type TestProvider } from '../support/oidc-provider.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { launchBrowser, screenshot, seriousA11yViolations } from './support/browser.js';

describe('web app: sign in with an OpenID Connect provider', () => {
  let provider: TestProvider;
  let t: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    const port = await freePort();
    const redirectUrl = `http://127.0.0.1:${port}/api/v1/auth/oidc/callback`;
    const clientSecret = randomBytes(24).toString('base64url');
    provider = await startOidcProvider({ redirectUri: redirectUrl, clientSecret });
    t = await startTestServer({
      config: {
        port,
        oidc: { issuer: provider.issuer, clientId: provider.clientId, clientSecret, redirectUrl, roleMap: { 'bmad-managers': 'manager' }, name: 'Test IdP' },
      },
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await provider?.close();
  });

  it('the login page offers the provider; its login form brings the person back signed in, where they were going', async () => {
    provider.people.set('ann', { sub: 'ann', email: 'ann@example.test', email_verified: true, name: 'Ann', groups: ['bmad-managers'] });
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${t.url}/costs`);
    await page.waitForURL(/\/login\?next=/);
    const button = page.getByRole('link', { name: 'Sign in with Test IdP' });
    await button.waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await button.click();

    // The provider's own page, on its own origin.
    await page.waitForURL((u) => u.origin === provider.issuer);
    await page.locator('input[name=login]').fill('ann');
    await page.locator('input[name=password]').fill('whatever the provider checks');
    await page.getByRole('button', { name: 'Sign-in' }).click();

    await page.waitForURL(`${t.url}/costs`);
    await expect.poll(() => page.getByTestId('current-role').textContent()).toBe('manager');
    await context.close();
  });

  it('a refused sign-in comes back to the login page, which says why in words', async () => {
    provider.people.set('nomail', { sub: 'nomail', groups: ['bmad-managers'] });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.url}/login`);
    await page.getByRole('link', { name: 'Sign in with Test IdP' }).click();
    await page.waitForURL((u) => u.origin === provider.issuer);
    await page.locator('input[name=login]').fill('nomail');
    await page.locator('input[name=password]').fill('x');
    await page.getByRole('button', { name: 'Sign-in' }).click();

    await page.waitForURL(/\/login\?error=oidc_email_missing/);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('gave no email address');
    // The password form is still there for those who have one.
    expect(await page.getByLabel('Password').count()).toBe(1);
    await screenshot(page, 'login-oidc-refused');
    await context.close();
  });
});
