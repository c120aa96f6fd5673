import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { ConfigInput } from '../../../src/server/config.js';
import { ingestAccepted } from '../../support/ingest.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { launchBrowser } from './browser.js';
import { workspaceEvents } from './workspace.js';

export interface BrowserWorkspace {
  readonly t: TestServer;
  readonly browser: Browser;
}

/**
 * For a describe block: a real server on a temp SQLite file seeded with the sample workspace, and one Chromium,
 * both closed after the block. `setup` runs after seeding (users, extra data).
 */
export function browserWorkspace(opts: { config?: ConfigInput; setup?: (t: TestServer) => Promise<void> } = {}): BrowserWorkspace {
  let t: TestServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    t = await startTestServer(opts.config ? { config: opts.config } : {});
    await ingestAccepted(t, workspaceEvents());
    await opts.setup?.(t);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  return {
    get t() {
      if (!t) throw new Error('the server is not started yet (use it inside a test)');
      return t;
    },
    get browser() {
      if (!browser) throw new Error('the browser is not started yet (use it inside a test)');
      return browser;
    },
  };
}

/** Signs in the way a person does: through the login form. */
export async function signInThroughForm(page: Page, who: { email: string; password: string }): Promise<void> {
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
