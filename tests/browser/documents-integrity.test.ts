import { describe, expect, it } from 'vitest';
import { storyUpserted } from '../support/events.js';
import { ingestAccepted } from '../support/ingest.js';
import { ADMIN, tempDir, type TestServer } from '../support/test-server.js';
import { writeAndRegister } from './documents-fixtures.js';
import { PHONE, screenshot, seriousA11yViolations, signedInContext } from './support/browser.js';
import { browserWorkspace } from './support/fixture.js';

let n = 0;
function consistencyReported(projectId: string, findings: object[]) {
  return {
    id: `evt-consistency-${++n}-${Date.now()}`,
    source: 'test',
    type: 'consistency.reported',
    occurredAt: new Date().toISOString(),
    entity: { type: 'project', id: projectId },
    payload: { findings },
  };
}

const DRIFT = {
  kind: 'status_drift',
  storyId: 's-3',
  file: 'stories/2-1-apple-pay.md',
  line: 3,
  message: 'The story file says in-progress; sprint-status.yaml says review',
  expected: 'review',
  actual: 'in-progress',
};

async function setup(t: TestServer): Promise<void> {
  const dir = tempDir('bmad-ops-integrity-');
  const roots = (t.server as { documentRoots?: { register(id: string, dir: string): void } }).documentRoots;
  if (!roots) throw new Error('the server has no documentRoots registry (issue 5, server side)');
  roots.register('int-docs', dir);
  await ingestAccepted(t, [
    writeAndRegister('int-docs', dir, {
      id: 'doc-arch',
      path: 'architecture.md',
      title: 'Architecture',
      mimeType: 'text/markdown',
      kind: 'architecture',
      storyId: 's-3',
      content: '# Architecture\n\nHello.\n',
    }),
    storyUpserted(
      's-3',
      'p-checkout',
      {
        title: 'Apple Pay button',
        status: 'in_progress',
        epic: 'Epic 2: Checkout',
        ownerId: 'u-ada',
        details: { key: '2.1', tasksDone: 3, tasksTotal: 5, agentModel: 'claude-sonnet-4-5', file: 'stories/2-1-apple-pay.md', sourceStatus: 'in-progress' },
      },
      { occurredAt: new Date().toISOString() },
    ),
  ]);
}

const card = (id: string) => `[data-testid=kanban-card][data-story-id="${id}"]`;

describe('integrity findings and BMAD story details in the web app', () => {
  const ws = browserWorkspace({ setup });

  it('the project page links its documents to the viewer and lists consistency findings live', async () => {
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN);
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/projects/p-checkout`);
    await page.getByTestId('project-stories').waitFor();
    await page.waitForSelector('[data-testid=connection-indicator][data-state=live]');
    const panel = page.getByTestId('integrity-panel');
    await panel.getByTestId('integrity-empty').waitFor();
    expect(await panel.getByTestId('integrity-empty').textContent()).toContain('No consistency findings');

    await ingestAccepted(ws.t, [consistencyReported('p-checkout', [DRIFT])]);
    const finding = panel.getByTestId('integrity-finding');
    await finding.waitFor({ timeout: 5000 });
    const text = await finding.textContent();
    expect(text).toContain('Drift');
    expect(text).toContain('Apple Pay button');
    expect(text).toContain('stories/2-1-apple-pay.md:3');
    expect(text).toContain(DRIFT.message);
    expect(text).toMatch(/Expected\s*review\s*· found\s*in-progress/);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'project-integrity-desktop-light');

    // A story with documents links to them (the list, filtered by story).
    await page.getByRole('link', { name: '1 doc of Apple Pay button' }).click();
    await page.waitForURL(/\/documents\?storyId=s-3$/);
    await page.getByTestId('document-row').first().waitFor();
    expect(await page.getByTestId('document-row').count()).toBe(1);
    await page.goBack();

    await page.getByTestId('project-document').filter({ hasText: 'Architecture' }).click();
    await page.waitForURL(/\/documents\/doc-arch$/);
    await page.getByTestId('markdown-body').getByText('Hello.').waitFor();

    // Cleared: the next report has no findings.
    await ingestAccepted(ws.t, [consistencyReported('p-checkout', [])]);
    await page.goto(`${ws.t.url}/projects/p-checkout`);
    await panel.getByTestId('integrity-empty').waitFor();
    await context.close();
  });

  it('a board card says drift in words, with the details in its tooltip and for screen readers, and shows tasks and model', async () => {
    await ingestAccepted(ws.t, [consistencyReported('p-checkout', [])]);
    const context = await signedInContext(ws.browser, ws.t.url, ADMIN);
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/kanban?projectId=p-checkout`);
    await page.locator(card('s-3')).waitFor();
    await page.waitForSelector('[data-testid=connection-indicator][data-state=live]');
    expect(await page.locator(card('s-3')).getByTestId('card-tasks').textContent()).toBe('3/5 tasks');
    // The model as people say it, its id on hover.
    expect(await page.locator(card('s-3')).getByTestId('card-model').textContent()).toBe('Agent model Sonnet 4.5');
    expect(await page.locator(card('s-3')).getByTestId('card-model').getAttribute('title')).toBe('Agent model: claude-sonnet-4-5');
    expect(await page.locator(card('s-3')).getByTestId('card-finding').count()).toBe(0);

    await ingestAccepted(ws.t, [
      consistencyReported('p-checkout', [
        DRIFT,
        {
          kind: 'unknown_status',
          storyId: 's-3',
          file: 'sprint-status.yaml',
          line: 12,
          message: 'Unknown status "qa-ready"',
          expected: null,
          actual: 'qa-ready',
        },
      ]),
    ]);
    const marker = page.locator(card('s-3')).getByTestId('card-finding');
    await marker.waitFor({ timeout: 5000 });
    expect(await marker.evaluate((el) => el.firstChild?.nextSibling?.textContent ?? '')).toBe('Drift, Unknown status');
    const title = await marker.getAttribute('title');
    expect(title).toContain(DRIFT.message);
    expect(title).toContain('expected review, found in-progress');
    expect(title).toContain('sprint-status.yaml:12');
    // What a screen reader hears: the words and the message, not a bare glyph.
    const spoken = await marker.evaluate((el) =>
      [...el.childNodes]
        .filter((c) => !(c instanceof HTMLElement && c.getAttribute('aria-hidden') === 'true'))
        .map((c) => c.textContent)
        .join(''),
    );
    expect(spoken).toContain('Drift, Unknown status');
    expect(spoken).toContain(DRIFT.message);
    expect(await page.locator(`${card('s-1')} [data-testid=card-finding]`).count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'kanban-findings-desktop-light');
    const phone = await signedInContext(ws.browser, ws.t.url, ADMIN, { viewport: PHONE, colorScheme: 'dark' });
    const phonePage = await phone.newPage();
    await phonePage.goto(`${ws.t.url}/kanban?projectId=p-checkout`);
    await phonePage.locator(`${card('s-3')} [data-testid=card-finding]`).waitFor();
    await screenshot(phonePage, 'kanban-findings-phone-dark');
    await phonePage.goto(`${ws.t.url}/projects/p-checkout`);
    await phonePage.getByTestId('integrity-finding').first().waitFor();
    await screenshot(phonePage, 'project-integrity-phone-dark');
    await phone.close();

    await ingestAccepted(ws.t, [consistencyReported('p-checkout', [])]);
    await expect.poll(() => marker.count(), { timeout: 5000 }).toBe(0);
    await context.close();
  });
});
