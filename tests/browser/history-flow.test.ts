import type { Browser, Page } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  directorySchema,
  documentPageSchema,
  documentSchema,
  flowResponseSchema,
  flowSourcesResponseSchema,
  projectContextSchema,
  projectSchema,
  storyDetailSchema,
  transitionListSchema,
  workflowPageSchema,
  type FlowResponse,
} from '../../src/contracts/index.js';
import { ids } from '../../src/server/connector/bmad/to-events.js';
import { storyStatusChanged } from '../support/events.js';
import { ADMIN, startTestServer, type TestServer } from '../support/test-server.js';
import { DESKTOP, horizontalOverflow, launchBrowser, PHONE, screenshot, SCREENSHOT_DIR, seriousA11yViolations, signedInContext } from './support/browser.js';
import { textOverflows } from './support/text-overflow.js';

const S = encodeURIComponent;

const viewportShot = async (page: Page, name: string) => {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
};

/**
 * The sample project as `npm start` makes it: weeks of backdated git history, so stories have status timelines with
 * commits, the project has epics, action items, a readiness gate and flow charts, and documents have versions. What
 * the pages show is compared with what the API says.
 */
describe('history and flow: the sample project with its git history', () => {
  let t: TestServer;
  let browser: Browser;
  let projectId: string;
  let storyId: string;
  let workflowId: string;
  let storyDocId: string;
  let supersededId: string;
  let currentDocId: string;
  let people: Map<string, string>;

  const getJson = async (path: string) => {
    const res = await t.get(path);
    expect(res.status, path).toBe(200);
    return res.json() as Promise<unknown>;
  };

  beforeAll(async () => {
    t = await startTestServer({ config: { bmad: { sample: true } } });
    const snap = t.server.bmad.all[0]!.snapshot!;
    projectId = ids.project(snap.projectKey);
    // The story with the most changes (it went back from review to in-progress: rework).
    const details = await Promise.all(
      snap.stories.map(async (s) => storyDetailSchema.parse(await getJson(`/api/v1/stories/${S(ids.story(snap.projectKey, s.key))}`))),
    );
    const richest = [...details].sort((a, b) => b.history.length - a.history.length)[0]!;
    storyId = richest.story.id;
    const runs = workflowPageSchema.parse(await getJson(`/api/v1/workflows?storyId=${S(storyId)}&pageSize=50`));
    workflowId = runs.items.find((w) => w.endedAt !== null)!.id;
    // Two dated runs of the PRD skill, written into the watched project as a person would: the older is an earlier
    // version of the newer, which the connector says on its own.
    const root = path.join(t.server.sample!.dir, '_bmad-output', 'planning-artifacts');
    const run = (date: string) => `---\nstatus: final\nupdated: ${date}\n---\n# Product Requirements Document (${date} run)\n\nThe ${date} planning run.\n`;
    for (const date of ['2026-10-02', '2026-11-20']) {
      fs.mkdirSync(path.join(root, `prd-streakly-${date}`), { recursive: true });
      fs.writeFileSync(path.join(root, `prd-streakly-${date}`, 'prd.md'), run(date));
    }
    const docs = await vi.waitFor(
      async () => {
        const page = documentPageSchema.parse(await getJson(`/api/v1/documents?projectId=${S(projectId)}&pageSize=200`));
        if (!page.items.some((d) => d.supersededBy)) throw new Error('the earlier run is not registered yet');
        return page;
      },
      { timeout: 30_000, interval: 250 },
    );
    storyDocId = docs.items.find((d) => d.storyId === storyId && d.kind === 'story')!.id;
    const earlier = docs.items.find((d) => d.supersededBy)!;
    supersededId = earlier.id;
    expect(earlier.path).toBe('_bmad-output/planning-artifacts/prd-streakly-2026-10-02/prd.md');
    currentDocId = docs.items.find((d) => d.path === earlier.supersededBy)!.id;
    const directory = directorySchema.parse(await getJson('/api/v1/directory'));
    people = new Map(directory.people.map((p) => [p.id, p.displayName ?? p.email ?? p.id]));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const open = async (path: string, viewport: { width: number; height: number } = DESKTOP, colorScheme: 'light' | 'dark' = 'light') => {
    const context = await signedInContext(browser, t.url, ADMIN, { viewport, colorScheme });
    const page = await context.newPage();
    await page.goto(`${t.url}${path}`);
    return { context, page };
  };

  /** The flow the project page asked for: same bucket and time zone as on screen. */
  const flowOnScreen = async (page: Page): Promise<FlowResponse> => {
    const section = page.getByTestId('project-flow');
    const tz = (await section.getAttribute('data-tz'))!;
    const bucket = (await section.getAttribute('data-bucket'))!;
    return flowResponseSchema.parse(await getJson(`/api/v1/projects/${S(projectId)}/flow?bucket=${bucket}&tz=${S(tz)}`));
  };

  it('the story page shows its status changes in order: BMAD columns, the commit of each, and who by name', async () => {
    const api = storyDetailSchema.parse(await getJson(`/api/v1/stories/${S(storyId)}`));
    expect(api.history.length).toBeGreaterThanOrEqual(4);
    const { context, page } = await open(`/stories/${S(storyId)}`);
    const items = page.locator('[data-testid=history-timeline] > [data-testid=status-change]');
    await items.first().waitFor();
    const shown = await items.evaluateAll((els) =>
      els.map((el) => ({
        from: el.getAttribute('data-from'),
        to: el.getAttribute('data-to'),
        toText: el.querySelector('[data-testid=status-change-to]')?.textContent,
        commit: el.getAttribute('data-commit'),
        hash: el.querySelector('[data-testid=commit-hash]')?.textContent ?? null,
        subject: el.querySelector('[data-testid=commit-subject]')?.textContent ?? null,
        who: el.querySelector('[data-testid=status-change-who]')?.textContent?.replace(/^by\s*/, '') ?? null,
      })),
    );
    expect(shown).toEqual(
      api.history.map((h) => ({
        from: h.fromColumn ?? '',
        to: h.toColumn ?? '',
        toText: h.toColumn,
        commit: h.commit?.hash ?? '',
        hash: h.commit ? h.commit.hash.slice(0, 7) : null,
        subject: h.commit?.subject ?? null,
        who: h.actorId ? people.get(h.actorId) : 'unknown',
      })),
    );
    // A rework: the story went back from review to in-progress, and the timeline says so.
    expect(shown.some((s) => s.from === 'review' && s.to === 'in-progress')).toBe(true);
    // Names, never raw person ids.
    expect(await page.getByTestId('story-history').textContent()).not.toContain('person:');
    // Where its status is written, with each value.
    const records = await page.getByTestId('record').evaluateAll((els) => els.map((el) => [el.getAttribute('data-kind'), el.getAttribute('data-value')]));
    expect(records).toEqual((api.story.details?.records ?? []).map((r) => [r.kind, r.value ?? '']));
    // Runs with start, end and how long they took.
    const run = page.locator(`[data-testid=story-run][data-workflow-id="${workflowId}"]`);
    expect(await run.getByTestId('run-duration').textContent()).toMatch(/^took /);
    await context.close();
  });

  it('a live status change reaches the open story page without a reload', async () => {
    const { context, page } = await open(`/stories/${S(storyId)}`);
    const items = page.locator('[data-testid=history-timeline] > [data-testid=status-change]');
    await items.first().waitFor();
    await page.waitForSelector('[data-testid=connection-indicator][data-state=live]');
    const before = await items.count();
    const api = storyDetailSchema.parse(await getJson(`/api/v1/stories/${S(storyId)}`));
    const last = api.history[api.history.length - 1]!;
    const to = last.toColumn === 'review' ? { status: 'in_progress', column: 'in-progress' } : { status: 'in_progress', column: 'review' };
    const actorId = [...people.keys()].find((k) => k.startsWith('person:'));
    const payload = { to: to.status, from: last.toStatus, column: to.column, fromColumn: last.toColumn, seenIn: 'dashboard', actorId };
    const e = storyStatusChanged(storyId, to.status, last.toStatus, { occurredAt: new Date().toISOString(), payload });
    expect((await t.ingest([e])).status).toBe(200);
    await expect.poll(() => items.count(), { timeout: 10_000 }).toBe(before + 1);
    const newest = items.last();
    expect(await newest.getAttribute('data-to')).toBe(to.column);
    expect(await newest.getByTestId('seen-in').textContent()).toBe('on the dashboard');
    await context.close();
  });

  it('the workflow page shows each transition with its commit hash and subject', async () => {
    const api = transitionListSchema.parse(await getJson(`/api/v1/workflows/${S(workflowId)}/transitions?limit=500`));
    expect(api.items.some((x) => x.commit)).toBe(true);
    const { context, page } = await open(`/workflows/${S(workflowId)}`);
    await page.getByTestId('transition-timeline').waitFor();
    const shown = await page.getByTestId('transition').evaluateAll((els) =>
      els.map((el) => ({
        commit: el.getAttribute('data-commit'),
        hash: el.querySelector('[data-testid=commit-hash]')?.textContent ?? null,
        subject: el.querySelector('[data-testid=commit-subject]')?.textContent ?? null,
      })),
    );
    expect(shown).toEqual(
      api.items.map((x) => ({ commit: x.commit?.hash ?? '', hash: x.commit ? x.commit.hash.slice(0, 7) : null, subject: x.commit?.subject ?? null })),
    );
    await context.close();
  });

  it('the project page lists epics, action items and the readiness gate as the API has them', async () => {
    const project = projectSchema.parse(await getJson(`/api/v1/projects/${S(projectId)}`));
    const ctx = projectContextSchema.parse(await getJson(`/api/v1/projects/${S(projectId)}/context`));
    const { context, page } = await open(`/projects/${S(projectId)}`);
    await page.getByTestId('epic').first().waitFor();
    const epics = await page
      .getByTestId('epic')
      .evaluateAll((els) => els.map((el) => ['key', 'status', 'source-status', 'retro-status'].map((k) => el.getAttribute(`data-${k}`))));
    expect(epics).toEqual(ctx.epics.map((e) => [e.key ?? '', e.status ?? '', e.sourceStatus ?? '', e.retrospective?.status ?? '']));
    expect(epics.length).toBeGreaterThan(0);

    const items = project.details?.actionItems ?? [];
    expect(items.length).toBeGreaterThan(0);
    const shown = await page.getByTestId('action-item').evaluateAll((els) =>
      els.map((el) => ({
        text: el.querySelector('[data-testid=action-text]')!.textContent,
        owner: el.querySelector('[data-testid=action-owner]')!.textContent,
        status: el.getAttribute('data-status'),
      })),
    );
    expect([...shown].sort((a, b) => a.text!.localeCompare(b.text!))).toEqual(
      items
        .map((a) => ({ text: a.action, owner: a.owner ?? 'nobody named', status: (a.status ?? '').toLowerCase() }))
        .sort((a, b) => a.text.localeCompare(b.text)),
    );

    const readiness = project.details!.readiness!;
    const gate = page.getByTestId('readiness');
    expect(await gate.getAttribute('data-gate')).toBe(readiness.gate);
    expect(await gate.getAttribute('data-file')).toBe(readiness.file);
    expect(await page.getByTestId('readiness-gate').textContent()).toContain(readiness.gate);
    await context.close();
  });

  it('the project page draws the three flow charts; the CFD table equals the API, and the cycle time is given as figures', async () => {
    const { context, page } = await open(`/projects/${S(projectId)}`);
    await page.getByTestId('flow-ready').waitFor();
    const flow = await flowOnScreen(page);
    expect(flow.firstTransitionAt).not.toBeNull();
    for (const id of ['flow-cfd', 'flow-burndown', 'flow-throughput', 'flow-cycle-time']) {
      const chart = page.getByTestId(id).getByTestId('time-series-chart').first();
      await chart.locator('canvas').waitFor();
      expect(await chart.getAttribute('data-points'), id).not.toBe('0');
    }
    expect(await page.getByTestId('flow-cfd').getByTestId('time-series-chart').getAttribute('data-points')).toBe(String(flow.cfd.length));
    expect(await page.getByTestId('flow-throughput').getByTestId('time-series-chart').first().getAttribute('data-points')).toBe(String(flow.throughput.length));

    // The CFD as a table: every bucket's count per column, exactly the API's (no data before the first change, not 0).
    const cfd = page.getByTestId('flow-cfd');
    await cfd.getByTestId('chart-table-toggle').locator('summary').click();
    const rows = await cfd
      .getByTestId('chart-table-row')
      .evaluateAll((els) =>
        els.map((tr) =>
          Object.fromEntries(
            [...tr.querySelectorAll('[data-testid=chart-table-cell]')].map((td) => [td.getAttribute('data-series'), td.getAttribute('data-value')]),
          ),
        ),
      );
    expect(rows).toEqual(flow.cfd.map((b) => Object.fromEntries(flow.columns.map((c) => [c, b.counts === null ? '' : String(b.counts[c] ?? 0)]))));
    // The legend names the columns in words.
    expect(await cfd.locator('ul[aria-label=Legend]').textContent()).toContain('Ready for dev');

    const c = flow.cycleTimeHours!;
    const figures = page.getByTestId('cycle-time');
    expect([
      await figures.getAttribute('data-p50'),
      await figures.getAttribute('data-p85'),
      await figures.getAttribute('data-p95'),
      await figures.getAttribute('data-n'),
    ]).toEqual([c.p50, c.p85, c.p95, c.n].map(String));
    await context.close();
  });

  /** The drawer's list against the API's sources for the point it names. */
  const expectDrawerMatchesApi = async (page: Page) => {
    const drawer = page.getByTestId('flow-sources-drawer');
    await drawer.getByTestId('flow-sources').or(drawer.getByText('No status change is behind this point.')).waitFor();
    const point = drawer.getByTestId('flow-sources-point');
    const q = {
      kind: await point.getAttribute('data-kind'),
      start: await point.getAttribute('data-start'),
      end: await point.getAttribute('data-end'),
      column: await point.getAttribute('data-column'),
      epic: await point.getAttribute('data-epic'),
    };
    const qs = new URLSearchParams({ kind: q.kind!, start: q.start!, end: q.end! });
    if (q.column) qs.set('column', q.column);
    if (q.epic) qs.set('epic', q.epic);
    const api = flowSourcesResponseSchema.parse(await getJson(`/api/v1/projects/${S(projectId)}/flow/sources?${qs}`));
    expect(api.total).toBeGreaterThan(0);
    const shown = await drawer.getByTestId('status-change').evaluateAll((els) =>
      els.map((el) => ({
        story: el.getAttribute('data-story-id'),
        title: el.querySelector('[data-testid=status-change-story]')?.textContent,
        href: el.querySelector('[data-testid=status-change-story]')?.getAttribute('href'),
        to: el.getAttribute('data-to'),
        hash: el.querySelector('[data-testid=commit-hash]')?.textContent ?? null,
      })),
    );
    expect(shown).toEqual(
      api.items.map((x) => ({
        story: x.storyId,
        title: x.storyTitle,
        href: `/stories/${S(x.storyId)}`,
        to: x.toColumn ?? '',
        hash: x.commit ? x.commit.hash.slice(0, 7) : null,
      })),
    );
    expect(await drawer.getByTestId('flow-sources-total').getAttribute('data-total')).toBe(String(api.total));
    return q;
  };

  it('a click on a CFD bucket opens the transitions behind it; so does a "sources" button of its table; Esc closes and gives focus back', async () => {
    const { context, page } = await open(`/projects/${S(projectId)}?bucket=week`);
    await page.getByTestId('flow-ready').waitFor();
    const flow = await flowOnScreen(page);
    const over = page.getByTestId('flow-cfd').locator('.u-over');
    await over.scrollIntoViewIfNeeded();
    const box = (await over.boundingBox())!;
    // The last bucket, low in the stack: the done column.
    const x = box.x + box.width * ((flow.cfd.length - 0.5) / flow.cfd.length);
    const y = box.y + box.height - 4;
    await page.mouse.move(x, y);
    await page.mouse.click(x, y);
    const drawer = page.getByTestId('flow-sources-drawer');
    await drawer.waitFor();
    const q = await expectDrawerMatchesApi(page);
    const last = flow.cfd[flow.cfd.length - 1]!;
    expect(q).toMatchObject({ kind: 'cfd', start: last.start, end: last.end, column: 'done' });
    expect(new URL(page.url()).searchParams.get('sources')).toBe('cfd');
    await viewportShot(page, 'history-flow-drawer-desktop-light');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    expect(new URL(page.url()).searchParams.get('sources')).toBeNull();

    // From the keyboard: the table's "sources" button of one column and bucket.
    const cfd = page.getByTestId('flow-cfd');
    await cfd.getByTestId('chart-table-toggle').locator('summary').click();
    const button = cfd.getByTestId('chart-sources').first();
    await button.focus();
    await page.keyboard.press('Enter');
    await drawer.waitFor();
    const q2 = await expectDrawerMatchesApi(page);
    expect(q2.kind).toBe('cfd');
    expect(q2.column).not.toBe('');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    // Focus comes back in the drawer's effect cleanup, just after the dialog has left the DOM.
    await expect.poll(() => button.evaluate((el) => el === document.activeElement)).toBe(true);

    // From the keyboard on the chart itself: End picks the last bucket, Enter opens the whole bucket (every column).
    await page.locator('[data-testid=flow-cfd] [role=img]').focus();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await drawer.waitFor();
    expect(await expectDrawerMatchesApi(page)).toMatchObject({ kind: 'cfd', start: last.start, column: '' });
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });

    // Burndown and throughput points are traceable the same way.
    for (const id of ['flow-burndown', 'flow-throughput']) {
      const chart = page.getByTestId(id);
      await chart.getByTestId('chart-table-toggle').first().locator('summary').click();
      await chart.getByTestId('chart-sources').first().click();
      await drawer.waitFor();
      const qn = await expectDrawerMatchesApi(page);
      expect(qn.kind).toBe(id === 'flow-burndown' ? 'burndown' : 'throughput');
      await drawer.getByRole('button', { name: 'Close' }).click();
      await drawer.waitFor({ state: 'detached' });
    }
    await context.close();
  });

  it('a document lists its versions (when, who, commit); an earlier planning run names and links the current one, and the list marks it', async () => {
    const api = documentSchema.parse(await getJson(`/api/v1/documents/${S(storyDocId)}`));
    expect(api.versions!.length).toBeGreaterThan(1);
    const { context, page } = await open(`/documents/${S(storyDocId)}`);
    const versions = page.getByTestId('document-versions');
    await versions.waitFor();
    expect(await versions.getAttribute('data-count')).toBe(String(api.versions!.length));
    await versions.locator('summary').click();
    const shown = await page.getByTestId('document-version').evaluateAll((els) =>
      els.map((el) => ({
        at: el.getAttribute('data-at'),
        hash: el.querySelector('[data-testid=commit-hash]')?.textContent ?? null,
        who: el.querySelector('[data-testid=version-who]')?.textContent?.replace(/^by\s*/, '') ?? null,
      })),
    );
    expect(shown).toEqual(
      api.versions!.map((v) => ({ at: v.at, hash: v.commit ? v.commit.hash.slice(0, 7) : null, who: v.actorId ? (people.get(v.actorId) ?? null) : null })),
    );

    await page.goto(`${t.url}/documents/${S(supersededId)}`);
    const banner = page.getByTestId('document-superseded');
    await banner.waitFor();
    const link = banner.getByTestId('superseded-link');
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`/documents/${S(currentDocId)}`);
    await page.goto(`${t.url}/documents?projectId=${S(projectId)}`);
    const row = page.locator(`[data-testid=document-row][data-document-id="${supersededId}"]`);
    await row.waitFor();
    expect(await row.getByTestId('document-superseded-mark').textContent()).toBe('earlier version');
    await context.close();
  });

  it('a long deferred-work list shows its first items and opens the rest from the keyboard', async () => {
    const project = projectSchema.parse(await getJson(`/api/v1/projects/${S(projectId)}`));
    const deferredWork = Array.from({ length: 8 }, (_, i) => ({
      summary: `Deferred item ${i + 1}: retry the reminder job when the queue is down`,
      severity: i % 2 ? 'low' : 'medium',
      file: 'src/jobs/reminders.ts',
      origin: 'code review of 2-2-reminder-notifications.md',
    }));
    const { name, ownerId, status, progressPct, dueAt, riskFlag } = project;
    const e = {
      id: 'evt-deferred-work',
      source: 'test',
      type: 'project.upserted',
      occurredAt: new Date().toISOString(),
      entity: { type: 'project', id: projectId },
      payload: { name, ownerId, status, progressPct, dueAt, riskFlag, details: { ...project.details, deferredWork } },
    };
    expect((await t.ingest([e])).status).toBe(200);
    const { context, page } = await open(`/projects/${S(projectId)}`);
    const panel = page.getByTestId('project-deferred');
    await panel.getByTestId('deferred-item').first().waitFor();
    expect(await panel.getByTestId('deferred-item').count()).toBe(5);
    const toggle = panel.getByTestId('deferred-toggle');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => panel.getByTestId('deferred-item').count()).toBe(8);
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    expect(await panel.getByTestId('deferred-item').last().textContent()).toContain('Deferred item 8');
    await context.close();
  });

  for (const size of [
    { label: 'phone', viewport: PHONE },
    { label: 'desktop', viewport: DESKTOP },
  ] as const) {
    for (const theme of ['light', 'dark'] as const) {
      it(
        `${size.label} ${theme}: story, workflow, project (with an open sources drawer) and document pages: no overflow, no serious axe violation; screenshots saved`,
        { timeout: 180_000 },
        async () => {
          const pages: { name: string; path: string; ready: (p: Page) => Promise<unknown> }[] = [
            { name: 'story', path: `/stories/${S(storyId)}`, ready: (p) => p.getByTestId('history-timeline').waitFor() },
            { name: 'workflow', path: `/workflows/${S(workflowId)}`, ready: (p) => p.getByTestId('transition-timeline').waitFor() },
            { name: 'project', path: `/projects/${S(projectId)}?range=90d`, ready: (p) => p.locator('[data-testid=flow-cfd] canvas').waitFor() },
            {
              name: 'project-sources',
              path: `/projects/${S(projectId)}?bucket=week`,
              ready: async (p) => {
                // Opened from the URL, as a shared link would: the throughput week with the most completions.
                await p.getByTestId('project-flow').waitFor();
                const flow = await flowOnScreen(p);
                const week = [...flow.throughput].sort((a, b) => (b.done ?? 0) - (a.done ?? 0))[0]!;
                await p.goto(`${t.url}/projects/${S(projectId)}?bucket=week&${new URLSearchParams({ sources: 'throughput', from: week.start, to: week.end })}`);
                await p.getByTestId('flow-sources').waitFor();
              },
            },
            { name: 'document', path: `/documents/${S(storyDocId)}`, ready: (p) => p.getByTestId('document-versions').waitFor() },
            { name: 'document-superseded', path: `/documents/${S(supersededId)}`, ready: (p) => p.getByTestId('superseded-link').waitFor() },
            { name: 'documents', path: `/documents?projectId=${S(projectId)}`, ready: (p) => p.getByTestId('document-superseded-mark').waitFor() },
          ];
          const context = await signedInContext(browser, t.url, ADMIN, { viewport: size.viewport, colorScheme: theme });
          const page = await context.newPage();
          const problems: string[] = [];
          for (const p of pages) {
            await page.goto(`${t.url}${p.path}`);
            await p.ready(page);
            await page.waitForSelector('[data-testid=connection-indicator][data-state=live]');
            if (p.name === 'document') await page.getByTestId('document-versions').locator('summary').click();
            const o = await horizontalOverflow(page);
            if (o.scrollWidth > o.clientWidth)
              problems.push(`${p.name}: page is ${o.scrollWidth}px wide in a ${o.clientWidth}px viewport (${o.offenders.join('; ')})`);
            for (const x of await textOverflows(page)) problems.push(`${p.name}: ${x.problem} — ${x.where} — "${x.text}"`);
            for (const v of await seriousA11yViolations(page)) problems.push(`${p.name}: [${v.impact}] ${v.id} ${v.help} at ${v.nodes.join(', ')}`);
            expect(await page.locator('main').textContent(), `${p.name}: a raw person id`).not.toContain('person:');
            // A drawer is fixed to the viewport: that is what a person sees, not the page under it.
            if (p.name === 'project-sources') await viewportShot(page, `history-${p.name}-${size.label}-${theme}`);
            else await screenshot(page, `history-${p.name}-${size.label}-${theme}`);
          }
          await context.close();
          expect(problems).toEqual([]);
        },
      );
    }
  }
});
