import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../../src/server/connector/bmad/to-events.js';
import { ADMIN, startTestServer, tempDir, type TestServer } from '../support/test-server.js';
import { launchBrowser, signedInContext } from './support/browser.js';
import type { Browser } from 'playwright-core';

const columnOf = (page: Page, storyId: string) =>
  page
    .locator(`[data-testid=kanban-card][data-story-id="${storyId}"]`)
    .evaluate((el) => el.closest('[data-testid=kanban-column]')?.getAttribute('data-column') ?? null);

/** Waits for a condition in the page and returns how long it took after `since`. */
async function within(page: Page, since: number, check: () => Promise<boolean>, timeoutMs = 5000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return Date.now() - since;
    await page.waitForTimeout(20);
  }
  throw new Error('timed out');
}

describe('web app: a BMAD project edited on disk', () => {
  let t: TestServer;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = path.join(tempDir('bmad-ops-live-'), 'streakly');
    fs.cpSync(path.resolve('examples/bmad-v6-sample'), dir, { recursive: true });
    t = await startTestServer({ config: { bmad: { projects: [dir] } } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('moves the card when sprint-status.yaml changes and retitles it when the story file changes, each within 1 s', async () => {
    const snap = t.server.bmad.all[0]!.snapshot!;
    const projectId = ids.project(snap.projectKey);
    const context = await signedInContext(browser, t.url, ADMIN);
    const page = await context.newPage();
    await page.goto(`${t.url}/kanban?projectId=${encodeURIComponent(projectId)}`);
    await page.getByTestId('kanban-card').first().waitFor();
    await page.waitForSelector('[data-testid=connection-indicator][data-state=live]');

    const story = snap.stories.find((s) => s.column === 'backlog' && s.file)!;
    const storyId = ids.story(snap.projectKey, story.key);
    expect(await columnOf(page, storyId)).toBe('backlog');
    const sprint = path.join(dir, snap.sprintStatusFile!);
    const text = fs.readFileSync(sprint, 'utf8');
    const moveStarted = Date.now();
    fs.writeFileSync(sprint, text.replace(new RegExp(`(^\\s*${story.key}:\\s*)backlog`, 'm'), '$1ready-for-dev'));
    const moveMs = await within(page, moveStarted, async () => (await columnOf(page, storyId)) === 'ready-for-dev');

    const file = path.join(dir, story.file!);
    const storyText = fs.readFileSync(file, 'utf8');
    const titleStarted = Date.now();
    // An editor's save-by-rename: write a temp file beside it, then rename over the original.
    fs.writeFileSync(`${file}.tmp-save`, storyText.replace(/^# Story ([\d.]+): .*$/m, '# Story $1: Retitled on disk'));
    fs.renameSync(`${file}.tmp-save`, file);
    const titleMs = await within(page, titleStarted, async () =>
      ((await page.locator(`[data-story-id="${storyId}"]`).textContent()) ?? '').includes('Retitled on disk'),
    );

    expect(moveMs).toBeLessThan(1000);
    expect(titleMs).toBeLessThan(1000);
    await context.close();
  });
});
