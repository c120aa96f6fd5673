import net from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/server/modules/auth/auth.middleware.js';
import { agentUpserted, projectUpserted, storyUpserted, syncReported, workflowTransitioned, workflowUpserted } from '../support/events.js';
import { ingestAccepted } from '../support/ingest.js';
import { ADMIN, tempDir, type TestServer } from '../support/test-server.js';
import { writeAndRegister } from './documents-fixtures.js';
import { DESKTOP, horizontalOverflow, login, PHONE, screenshot, signedInContext } from './support/browser.js';
import { browserWorkspace } from './support/fixture.js';
import { asLabel, corpusDocument, sentinel, xssCorpus, type XssPayload } from './xss-payloads.js';

// Issue 13 §4: the corpus through every place a source's text reaches the page — a markdown document, story and epic
// titles, project / agent / workflow names, finding messages, action items, deferred work, transition reasons — in
// real Chromium, with nothing executed, nothing fetched from elsewhere, and no payload hiding what comes after it.

const ROOT = 'xss-docs';
const PROJECT = 'p-xss';
const CORPUS_DOC = 'doc-xss-corpus';
const OUTSIDE = 'http://xss-beacon.invalid';

let payloads: XssPayload[] = [];
/** The payloads short enough to be a title or a name (single line, at most 200 characters). */
let labelled: { x: XssPayload; label: string }[] = [];

/** A port nothing listens on: a beacon sent there fails, but the request is still seen. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let n = 0;
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const envelope = (type: string, entity: { type: string; id: string }, payload: object) => ({
  id: `evt-xss-${++n}-${Date.now()}`,
  source: 'test',
  type,
  occurredAt: ago(5),
  entity,
  payload,
});

async function setup(t: TestServer): Promise<void> {
  payloads = xssCorpus({ closed: `http://127.0.0.1:${await closedPort()}`, outside: OUTSIDE });
  labelled = payloads.flatMap((x) => {
    const label = asLabel(x);
    return label ? [{ x, label }] : [];
  });
  const dir = tempDir('bmad-ops-xss-');
  const roots = (t.server as { documentRoots?: { register(id: string, dir: string): void } }).documentRoots;
  if (!roots) throw new Error('the server has no documentRoots registry');
  roots.register(ROOT, dir);

  const o = (minutes: number) => ({ occurredAt: ago(minutes) });
  const events: { type: string }[] = [
    projectUpserted(
      PROJECT,
      {
        name: 'XSS corpus',
        details: {
          actionItems: labelled.map(({ x, label }) => ({ id: x.id, action: label, owner: label, status: 'open' })),
          deferredWork: labelled.map(({ label }) => ({ summary: label, origin: label })),
        },
      },
      o(60),
    ),
    writeAndRegister(
      ROOT,
      dir,
      {
        id: CORPUS_DOC,
        path: 'planning/prd.md',
        title: 'XSS corpus PRD',
        mimeType: 'text/markdown',
        kind: 'prd',
        projectId: PROJECT,
        content: corpusDocument(payloads),
      },
      ago(50),
    ),
  ];
  labelled.forEach(({ x, label }, i) => {
    const story = `s-xss-${x.id}`;
    events.push(
      projectUpserted(`p-xss-${x.id}`, { name: label }, o(60)),
      agentUpserted(`a-xss-${x.id}`, { name: label, type: 'dev', ownerTeam: label }, o(60)),
      envelope('epic.upserted', { type: 'epic', id: `e-xss-${x.id}` }, { projectId: PROJECT, key: x.id, title: label, status: 'in_progress' }),
      storyUpserted(
        story,
        PROJECT,
        {
          title: label,
          epic: label,
          status: ['queued', 'in_progress', 'blocked', 'done'][i % 4],
          details: { key: x.id, agentModel: label, deferred: [{ summary: label, origin: label }] },
        },
        o(40),
      ),
      workflowUpserted(`w-xss-${x.id}`, { name: label, agentId: `a-xss-${x.id}`, projectId: PROJECT, storyId: story, status: 'queued' }, o(30)),
      workflowTransitioned(`w-xss-${x.id}`, 'queued', 'in_progress', o(20), { reason: label }),
      writeAndRegister(
        ROOT,
        dir,
        {
          id: `doc-xss-${x.id}`,
          path: `titles/${x.id}.md`,
          title: label,
          mimeType: 'text/markdown',
          projectId: PROJECT,
          storyId: story,
          content: `# ${x.id}\n`,
        },
        ago(50),
      ),
    );
  });
  events.push(
    envelope(
      'consistency.reported',
      { type: 'project', id: PROJECT },
      {
        findings: labelled.map(({ x, label }) => ({ kind: 'parse_error', storyId: `s-xss-${x.id}`, file: `stories/${x.id}.md`, line: 1, message: label })),
      },
    ),
    syncReported('xss', 'document', 'failed', { error: labelled[0]!.label, note: labelled[1]!.label }, o(1)),
  );
  for (let i = 0; i < events.length; i += 200) await ingestAccepted(t, events.slice(i, i + 200));
}

interface Seen {
  /** Payload ids (or dialog texts) of everything that ran. */
  executions: string[];
  /** Requests to anywhere but the server itself, and any beacon. */
  outbound: string[];
  errors: string[];
}

/** A signed-in context that records executions, outbound requests, dialogs, popups and errors in all its pages. */
async function watchedContext(
  browser: Browser,
  baseUrl: string,
  opts: { csp: 'bypassed' | 'real'; viewport?: { width: number; height: number } },
): Promise<{ context: BrowserContext; seen: Seen }> {
  const viewport = opts.viewport ?? DESKTOP;
  let context: BrowserContext;
  if (opts.csp === 'bypassed') {
    // The sanitiser alone: inline handlers would run if any got through.
    context = await signedInContext(browser, baseUrl, ADMIN, { viewport });
  } else {
    context = await browser.newContext({ viewport, colorScheme: 'light' });
    const token = await login(baseUrl, ADMIN.email, ADMIN.password);
    await context.addCookies([{ name: SESSION_COOKIE, value: token, url: baseUrl, httpOnly: true, sameSite: 'Lax' }]);
  }
  const seen: Seen = { executions: [], outbound: [], errors: [] };
  const origin = new URL(baseUrl).origin;
  await context.exposeBinding('__xss', (_source, id: unknown) => {
    seen.executions.push(String(id));
  });
  context.on('request', (r) => {
    const url = r.url();
    // Inline data is not a request to anywhere; anything a data: document runs is caught by its own beacon.
    if (/^(data|blob|about):/i.test(url)) return;
    if (new URL(url).origin !== origin || url.includes('/xss-beacon')) seen.outbound.push(url);
  });
  context.on('page', (page) => {
    page.on('dialog', (d) => {
      seen.executions.push(`dialog ${d.type()}: ${d.message()}`);
      void d.dismiss().catch(() => undefined);
    });
    page.on('console', (m) => {
      if (m.type() === 'error') seen.errors.push(m.text());
    });
    page.on('pageerror', (e) => seen.errors.push(`uncaught: ${e.message}`));
    page.on('popup', (p) => seen.outbound.push(`popup ${p.url()}`));
  });
  return { context, seen };
}

/**
 * Everything a handler could hang on: every event type the corpus uses, dispatched on every element under `selector`;
 * elements are clicked too when `click` (but never a real link: that would only open the link, in a new tab).
 */
async function poke(page: Page, selector: string, click: boolean): Promise<void> {
  await page.evaluate(
    ({ selector, click }) => {
      const root = document.querySelector(selector);
      if (!root) throw new Error(`nothing matches ${selector}`);
      for (const el of root.querySelectorAll('*')) {
        for (const type of ['mouseover', 'mouseenter', 'pointerenter', 'focus', 'focusin', 'toggle', 'load', 'error', 'begin', 'start'])
          el.dispatchEvent(new Event(type, { bubbles: true }));
        const href = el.getAttribute('href');
        if (click && (el.tagName !== 'A' || !href || href.startsWith('#'))) (el as HTMLElement).click?.();
      }
    },
    { selector, click },
  );
  await page.mouse.move(10, 10);
  await page.mouse.move(700, 500, { steps: 5 });
  await page.keyboard.press('Tab');
  await page.waitForTimeout(800);
}

/** What the sanitised document shows of each payload's section. */
async function documentReport(page: Page, sentinels: string[], keeps: string[]) {
  return page.evaluate(
    ({ sentinels, keeps }) => {
      const article = document.querySelector('[data-testid=markdown-body]')!;
      const visible = (el: Element) => el.checkVisibility({ opacityProperty: true, visibilityProperty: true }) && el.getBoundingClientRect().height > 0;
      /** Elements whose text is not shown as text, or that a sentinel has no business being inside. */
      const HIDING = 'textarea, select, option, template, noscript, title, style, script, xmp, plaintext, noembed, noframes, iframe, object';
      const CONTAINERS = `details, pre, a, table, blockquote, ul, ol, li, b, i, div, ${HIDING}`;
      /** The nearest element around `el` inside the document that a sentinel has no business being in. */
      const insideOf = (el: Element) => {
        const around = el.parentElement?.closest(CONTAINERS);
        return around && article.contains(around) ? around.tagName.toLowerCase() : null;
      };
      const placed = sentinels.map((text) => {
        const ps = [...article.querySelectorAll('p')].filter((p) => p.textContent?.trim() === text);
        const el = ps[0];
        return {
          text,
          count: ps.length,
          topLevel: el?.parentElement === article,
          plain: el ? el.childElementCount === 0 : false,
          visible: el ? visible(el) : false,
          inside: el ? insideOf(el) : null,
        };
      });
      /** Text laid out on screen: a closed <details> or a <textarea> keeps its text in the DOM, but draws none of it. */
      const shown = (needle: string) => {
        const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
        for (let t = walker.nextNode(); t; t = walker.nextNode()) {
          const parent = t.parentElement;
          if (!t.textContent?.includes(needle) || !parent || parent.closest(HIDING) || !visible(parent)) continue;
          const range = document.createRange();
          range.selectNodeContents(t);
          if ([...range.getClientRects()].some((r) => r.width > 0 && r.height > 0)) return true;
        }
        return false;
      };
      const headings = [...article.querySelectorAll(':scope > h2')].map((h) => h.textContent ?? '');
      const all = [...article.querySelectorAll('*')];
      return {
        sentinels: placed,
        hiddenKeeps: keeps.filter((k) => !shown(k)),
        headings,
        endVisible: shown('end-of-corpus'),
        // Mermaid's drawings carry their own <style>: only what is outside a diagram counts.
        elements: [...new Set(all.filter((el) => !el.closest('svg')).map((el) => el.tagName.toLowerCase()))].sort(),
        handlers: all.flatMap((el) => [...el.attributes].filter((a) => a.name.toLowerCase().startsWith('on')).map((a) => `${el.tagName}[${a.name}]`)),
        styled: all.filter((el) => !el.closest('svg') && el.hasAttribute('style')).map((el) => `${el.tagName}[style=${el.getAttribute('style')}]`),
      };
    },
    { sentinels, keeps },
  );
}

/** Labels missing from the text of what `selector` matches on the page (React must show them as text, whole). */
async function missingLabels(page: Page, labels: string[], selector = 'main'): Promise<string[]> {
  const text = (await page.locator(selector).allTextContents()).join('\n');
  return labels.filter((l) => !text.includes(l));
}

/** Markup that must never appear anywhere in the app's main area. */
async function dangerousMarkup(page: Page): Promise<string[]> {
  return page.locator('main').evaluate((main) => {
    const found = [...main.querySelectorAll('script, iframe, object, embed, base, meta, link, form, textarea, select, template, noscript')]
      // The app's own filters are selects: those carry a label; a payload's would not.
      .filter((el) => !(el.tagName === 'SELECT' && (el as HTMLSelectElement).labels?.length))
      .map((el) => el.tagName.toLowerCase());
    for (const el of main.querySelectorAll('*')) for (const a of el.attributes) if (/^on/i.test(a.name)) found.push(`${el.tagName.toLowerCase()}[${a.name}]`);
    return found;
  });
}

describe('XSS corpus in real Chromium (issue 13 §4)', () => {
  const ws = browserWorkspace({ setup });

  it('has at least 50 payloads over every family, most of them short enough to be a title or a name', () => {
    expect(payloads.length).toBeGreaterThanOrEqual(50);
    expect(new Set(payloads.map((x) => x.id)).size).toBe(payloads.length);
    expect(new Set(payloads.map((x) => x.kind))).toEqual(
      new Set(['script', 'handler', 'url', 'svg', 'mermaid', 'data-url', 'css', 'embed', 'markup', 'unclosed']),
    );
    expect(labelled.length).toBeGreaterThanOrEqual(50);
  });

  it("the document: nothing runs, nothing is fetched, every sentinel is visible at the top level, the author's text stays (sanitiser alone)", async () => {
    const { context, seen } = await watchedContext(ws.browser, ws.t.url, { csp: 'bypassed' });
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/documents/${CORPUS_DOC}`);
    // The first heading, not the last: whether the last one made it is what this test is about.
    await page.getByTestId('markdown-body').getByRole('heading', { name: 'XSS corpus', level: 1 }).waitFor();
    await expect.poll(() => page.locator('[data-testid=mermaid-diagram][data-state=pending]').count(), { timeout: 30_000 }).toBe(0);
    // What a reader sees, before anything is clicked (a click on a summary would fold its <details>).
    const report = await documentReport(
      page,
      payloads.map((x) => sentinel(x.id)),
      payloads.flatMap((x) => x.keeps ?? []),
    );
    await screenshot(page, 'xss-corpus-document-1440');
    await poke(page, '[data-testid=markdown-body]', true);
    expect.soft(seen.executions).toEqual([]);
    expect.soft(seen.outbound).toEqual([]);
    expect.soft(report.handlers).toEqual([]);
    expect.soft(report.styled).toEqual([]);
    expect
      .soft(
        report.elements.filter((t) =>
          /^(script|iframe|object|embed|form|base|meta|link|style|select|option|textarea|template|noscript|title|xmp|plaintext|noembed|noframes|math|video|audio)$/.test(
            t,
          ),
        ),
      )
      .toEqual([]);

    // No payload swallows what follows it: every section heading and sentinel is a visible child of the document
    // itself, not of an element a payload opened.
    expect.soft(report.headings).toEqual([...payloads.map((x) => `${x.id} ${x.kind}`), 'The end']);
    const misplaced = report.sentinels.filter((s) => s.count !== 1 || !s.topLevel || !s.plain || !s.visible || s.inside !== null);
    expect.soft(misplaced).toEqual([]);
    expect.soft(report.endVisible).toBe(true);
    // Sanitising keeps the author's words: what was inside an element that was taken out or left open is still shown.
    expect.soft(report.hiddenKeeps).toEqual([]);
    // Diagrams are drawn or say why not; none is left half-done.
    expect.soft(await page.locator('[data-testid=mermaid-diagram]').count()).toBe(payloads.filter((x) => x.kind === 'mermaid').length);

    await page.reload();
    await page.setViewportSize(PHONE);
    await page.getByTestId('markdown-body').getByRole('heading', { name: 'The end' }).waitFor();
    await expect.poll(() => page.locator('[data-testid=mermaid-diagram][data-state=pending]').count(), { timeout: 30_000 }).toBe(0);
    await page.waitForTimeout(300);
    const o = await horizontalOverflow(page);
    expect(o.scrollWidth, o.offenders.join('; ')).toBeLessThanOrEqual(o.clientWidth);
    await screenshot(page, 'xss-corpus-document-390');
    expect(seen.executions).toEqual([]);
    expect(seen.outbound).toEqual([]);
    await context.close();
  });

  it("the document under the app's real Content-Security-Policy: no execution, no request, not even a blocked attempt in the console", async () => {
    const { context, seen } = await watchedContext(ws.browser, ws.t.url, { csp: 'real' });
    const page = await context.newPage();
    await page.goto(`${ws.t.url}/documents/${CORPUS_DOC}`);
    await page.getByTestId('markdown-body').getByRole('heading', { name: 'XSS corpus', level: 1 }).waitFor();
    await expect.poll(() => page.locator('[data-testid=mermaid-diagram][data-state=pending]').count(), { timeout: 30_000 }).toBe(0);
    await poke(page, '[data-testid=markdown-body]', true);
    expect(seen.executions).toEqual([]);
    expect(seen.outbound).toEqual([]);
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  it('titles, names, finding messages, action items, deferred work and reasons are shown as text on every page that has them', async () => {
    const { context, seen } = await watchedContext(ws.browser, ws.t.url, { csp: 'bypassed' });
    const page = await context.newPage();
    const labels = labelled.map((l) => l.label);
    const problems: string[] = [];
    const expectShown = async (where: string, expected: string[], selector = 'main') => {
      const missing = await missingLabels(page, expected, selector);
      if (missing.length) problems.push(`${where}: ${missing.length} of ${expected.length} not shown as text, e.g. ${JSON.stringify(missing[0])}`);
    };
    const visit = async (name: string, url: string, ready: () => Promise<unknown>) => {
      await page.goto(`${ws.t.url}${url}`);
      await ready();
      await poke(page, 'main', false);
      const dangerous = await dangerousMarkup(page);
      if (dangerous.length) problems.push(`${name}: ${dangerous.join(', ')}`);
    };
    const firstRow = (testid: string) => () => page.getByTestId(testid).first().waitFor();
    // Lists are paged by 50: what one page lacks the other must have.
    const paged = async (name: string, url: string, testid: string) => {
      await visit(`${name} p1`, url, firstRow(testid));
      const onFirst = await missingLabels(page, labels, `[data-testid=${testid}]`);
      await visit(`${name} p2`, `${url}${url.includes('?') ? '&' : '?'}page=2`, firstRow(testid));
      if (onFirst.length) await expectShown(name, onFirst, `[data-testid=${testid}]`);
    };

    await visit('kanban', `/kanban?projectId=${PROJECT}`, firstRow('kanban-card'));
    await expectShown('kanban cards (story titles, epics, models)', labels, '[data-testid=kanban-card]');
    await paged('workflow names', `/workflows?projectId=${PROJECT}`, 'workflow-row');
    await paged('project names', '/projects', 'project-card');
    await paged('document titles', `/documents?projectId=${PROJECT}`, 'document-row');
    await expectShown('sync error', [labelled[0]!.label], '[data-testid=stale-banner]');
    await visit('project page', `/projects/${PROJECT}`, firstRow('integrity-finding'));
    await expectShown('finding messages', labels, '[data-testid=integrity-finding]');
    await expectShown('epic titles', labels, '[data-testid=epic]');
    await expectShown('action items', labels, '[data-testid=action-item]');
    await page.getByTestId('deferred-toggle').click();
    await poke(page, 'main', false);
    await expectShown('deferred work', labels, '[data-testid=deferred-list]');
    for (const { x, label } of labelled.filter((_, i) => i % 10 === 0)) {
      await visit(`story ${x.id}`, `/stories/s-xss-${x.id}`, firstRow('story-details'));
      await expectShown(`story ${x.id}`, [label]);
      await visit(`run ${x.id}`, `/workflows/w-xss-${x.id}`, firstRow('transition'));
      await expectShown(`run ${x.id} reason`, [label], '[data-testid=transition]');
      await visit(`document ${x.id}`, `/documents/doc-xss-${x.id}`, firstRow('document-viewer'));
      await expectShown(`document ${x.id} title`, [label]);
    }
    await screenshot(page, 'xss-corpus-labels-document');
    await page.goto(`${ws.t.url}/kanban?projectId=${PROJECT}`);
    await page.getByTestId('kanban-card').first().waitFor();
    await screenshot(page, 'xss-corpus-kanban-1440');

    expect(problems).toEqual([]);
    expect(seen.executions).toEqual([]);
    expect(seen.outbound).toEqual([]);
    await context.close();
  }, 300_000);
});
