/**
 * The web app's budgets (issue 4, section 6), each next to a baseline measured in the same run, in Debian's Chromium:
 * initial JavaScript, first dashboard paint, a 2,000-card board's render time, and responsiveness while 50 events/s
 * arrive. See bench/web/README.md.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { KanbanBoard } from '../../src/contracts/index.js';
import { DESKTOP, launchBrowser, signedInContext } from '../../tests/browser/support/browser.js';
import { ADMIN, startTestServer, type TestServer } from '../../tests/support/test-server.js';
import { percentile } from '../support/http-load.js';
import { gitInfo } from '../support/run-info.js';
import { BundleSymbolizer, summarizeProfile, summarizeTrace, type CpuProfile, type ProfileSummary, type TraceSummary } from './cpu-profile.js';
import { installProbe, installRenderCounter, NAME_SHIM, type CardRenders, type ResponsivenessSample, type SwitchTiming } from './probe.js';
import { gzipSize, INITIAL_JS_BUDGET_BYTES, measureInitialJs as measureInitialJsIn } from './initial-js.js';
import { BIG, ingest, NEUTRAL, seed, SMALL, StoryStream, type BoardSpec, type SeedStory } from './workload.js';

// ---------- configuration ----------

function envNumber(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number >= ${min} (got ${raw})`);
  return n;
}

// Issue 17: initial JS <= 150 KB gzip, a 2,000-card board in <= 200 ms, input -> next frame p95 <= 50 ms at 50 events/s.
const BUDGET = { initialJsGzipBytes: INITIAL_JS_BUDGET_BYTES, firstPaintMs: 1000, boardRenderMs: 200, inputLatencyP95Ms: 50, keptUpMs: 3000 } as const;
const PAINT_REPS = Math.floor(envNumber('BENCH_WEB_PAINT_REPS', 10, 1));
const BOARD_REPS = Math.floor(envNumber('BENCH_WEB_BOARD_REPS', 7, 1));
const STREAM_S = envNumber('BENCH_WEB_STREAM_S', 15, 1);
const RATE = 50;
const TICK_MS = 100;
const INPUT_EVERY_MS = 500;
const PROFILE = process.env.BENCH_WEB_PROFILE !== '0';
const PROFILE_STREAM_S = 5;

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(benchDir, '..', '..');
const webDir = path.join(repoRoot, 'dist', 'web');
const resultsDir = path.join(repoRoot, 'bench', 'results');
const profileDir = path.join(resultsDir, 'profiles');
const startedAt = new Date();
const stamp = startedAt.toISOString().replace(/[:.]/g, '-');

// ---------- small helpers ----------

const sorted = (xs: readonly number[]) => [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
const median = (xs: readonly number[]) => percentile(sorted(xs), 50);
const p90 = (xs: readonly number[]) => percentile(sorted(xs), 90);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(n < 10 ? 1 : 0)} ms` : 'n/a');
const pct = (r: number) => (Number.isFinite(r) ? `${(r * 100).toFixed(0)}%` : 'n/a');
const x = (r: number) => (Number.isFinite(r) ? `${r.toFixed(2)}x` : 'n/a');

function newestMtime(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

/** Builds dist/web when it is missing or older than the web app's sources (or the contracts it imports). */
function ensureBuilt(): { built: boolean; indexMtime: string } {
  const index = path.join(webDir, 'index.html');
  const sources = Math.max(...['src/web', 'src/contracts', 'vite.config.ts'].map((p) => newestMtime(path.join(repoRoot, p))));
  const built = !fs.existsSync(index) || fs.statSync(index).mtimeMs < sources;
  if (built) {
    console.log('dist/web is missing or older than src/web: running `npx vite build`...');
    execFileSync('npx', ['vite', 'build'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return { built, indexMtime: fs.statSync(index).mtime.toISOString() };
}

/** The page probe first (it must exist before the app's own scripts run), in every page of the context. */
async function instrument(context: BrowserContext): Promise<void> {
  await context.addInitScript({ content: NAME_SHIM });
  await context.addInitScript(installProbe);
}

async function appContext(browser: Browser, t: TestServer): Promise<BrowserContext> {
  const context = await signedInContext(browser, t.url, ADMIN, { viewport: DESKTOP });
  await instrument(context);
  return context;
}

const cardSelector = (spec: BoardSpec) => `[data-testid=kanban-card][data-story-id^="${spec.prefix}"]`;

async function waitLive(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid=connection-indicator][data-state=live]', { timeout: 15_000 });
}

function machineLoad(): number {
  return os.loadavg()[0] ?? NaN;
}

// ---------- 1. initial JavaScript ----------

const measureInitialJs = () => measureInitialJsIn(webDir);

// ---------- 2. first dashboard paint ----------

const STATIC_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>baseline</title></head><body><h1>Workflows</h1><p>A static page: the paint floor of this browser on this machine.</p></body></html>`;

function startStaticServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(STATIC_PAGE);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

interface PaintSample {
  fcp: number;
  firstRow: number;
  firstRowPainted: number;
  htmlResponseEnd: number;
  domContentLoaded: number;
  scriptsBeforeFirstRow: string[];
  /** Every request the page made before its first row: path (query kept), start and response end. */
  requests: { path: string; start: number; end: number }[];
}

async function readPaint(page: Page): Promise<PaintSample> {
  const handle = await page.waitForFunction(
    () => {
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      const probe = window.__bench;
      if (!fcp || !probe) return null;
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      const isApp = document.querySelector('#root') !== null;
      if (isApp && probe.firstRowPaintedAt === null) return null;
      const rowAt = probe.firstRowAt ?? Infinity;
      const before = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter((e) => e.startTime < rowAt);
      const scripts = before.filter((e) => /\.js(\?|$)/.test(e.name)).map((e) => new URL(e.name).pathname);
      const requests = before.map((e) => ({ path: new URL(e.name).pathname + new URL(e.name).search, start: e.startTime, end: e.responseEnd }));
      return {
        fcp: fcp.startTime,
        firstRow: probe.firstRowAt ?? NaN,
        firstRowPainted: probe.firstRowPaintedAt ?? NaN,
        htmlResponseEnd: nav?.responseEnd ?? NaN,
        domContentLoaded: nav?.domContentLoadedEventEnd ?? NaN,
        scriptsBeforeFirstRow: scripts,
        requests,
      };
    },
    undefined,
    { timeout: 15_000, polling: 50 },
  );
  return (await handle.jsonValue())!;
}

async function appFirstPaint(browser: Browser, t: TestServer): Promise<PaintSample> {
  const context = await appContext(browser, t);
  try {
    const page = await context.newPage();
    await page.goto(`${t.url}/workflows`);
    return await readPaint(page);
  } finally {
    await context.close();
  }
}

async function staticFirstPaint(browser: Browser, url: string): Promise<PaintSample> {
  const context = await browser.newContext({ viewport: DESKTOP, colorScheme: 'light' });
  try {
    await instrument(context);
    const page = await context.newPage();
    await page.goto(url);
    return await readPaint(page);
  } finally {
    await context.close();
  }
}

interface PaintResult {
  app: PaintSample[];
  baseline: PaintSample[];
  /** gzip (level 9) of the scripts the page had requested before its first workflow row: initial JS + the route. */
  jsBeforeFirstRowGzipBytes: number;
  scriptsBeforeFirstRow: string[];
}

async function measureFirstPaint(browser: Browser, t: TestServer): Promise<PaintResult> {
  const stat = await startStaticServer();
  const app: PaintSample[] = [];
  const baseline: PaintSample[] = [];
  try {
    // One untimed load of each: Chromium's own first-use costs (process spawn paths, font cache) are not the app's.
    await staticFirstPaint(browser, stat.url);
    await appFirstPaint(browser, t);
    for (let i = 0; i < PAINT_REPS; i++) {
      baseline.push(await staticFirstPaint(browser, stat.url));
      app.push(await appFirstPaint(browser, t));
    }
  } finally {
    await stat.close();
  }
  const scripts = [...new Set(app.flatMap((s) => s.scriptsBeforeFirstRow))].sort();
  const jsBeforeFirstRowGzipBytes = scripts
    .map((p) => path.join(webDir, p))
    .filter((f) => fs.existsSync(f))
    .reduce((a, f) => a + gzipSize(f), 0);
  return { app, baseline, jsBeforeFirstRowGzipBytes, scriptsBeforeFirstRow: scripts };
}

/** Median response end of the requests on the way to the first row (asset hashes and query strings dropped). */
function waterfall(samples: readonly PaintSample[]): { what: string; endMs: number }[] {
  const ends = new Map<string, number[]>();
  const add = (what: string, at: number) => ends.set(what, [...(ends.get(what) ?? []), at]);
  for (const s of samples) {
    // Only the first request of each kind (the workspace is read twice: the second is the first resync's reload).
    const seen = new Set<string>();
    for (const r of s.requests) {
      const what = r.path
        .replace(/^\/assets\//, '')
        .replace(/-[\w-]{8}\.js$/, '.js')
        .replace(/\?.*$/, '');
      if (!/\.(js|css)$|^\/api\//.test(what) || seen.has(what)) continue;
      seen.add(what);
      // For API calls the start matters too: it says when the page got round to asking.
      if (what.startsWith('/api/')) add(`${what} sent`, r.start);
      add(what, r.end);
    }
  }
  return [...ends].map(([what, list]) => ({ what, endMs: median(list) })).sort((a, b) => a.endMs - b.endMs);
}

// ---------- 3. board render ----------

interface SwitchSample {
  spec: 'big' | 'small';
  cache: 'cold' | 'warm';
  /** change -> all cards in the DOM. */
  totalMs: number;
  /** change -> the board response's last byte (cold only). */
  fetchMs: number;
  /** responseEnd (cold) or change (warm) -> all cards in the DOM: parse, validate, React render and commit. */
  renderMs: number;
  /** ... -> the frame with the cards painted. */
  paintedMs: number;
  /** ... -> the first cards (a screenful per column) in the DOM, and that frame painted. */
  firstRenderMs: number;
  firstPaintedMs: number;
}

async function switchTo(page: Page, spec: BoardSpec): Promise<SwitchTiming> {
  await page.evaluate(([sel, n, boardPath]) => window.__bench!.armSwitch(sel, n, boardPath), [
    cardSelector(spec),
    spec.cards,
    `/api/v1/kanban/board?projectId=${spec.projectId}`,
  ] as const);
  await page.selectOption('select[name=projectId]', spec.projectId);
  const r = await page.evaluate(() => window.__bench!.switchResult());
  if (r.timedOut) throw new Error(`switching the board to ${spec.projectId}: ${spec.cards} cards did not appear within 15 s`);
  return r;
}

function toSample(spec: 'big' | 'small', r: SwitchTiming): SwitchSample {
  const from = r.fetch ? r.fetch.responseEnd : r.changeAt;
  return {
    spec,
    cache: r.fetch ? 'cold' : 'warm',
    totalMs: r.cardsAt - r.changeAt,
    fetchMs: r.fetch ? r.fetch.responseEnd - r.changeAt : NaN,
    renderMs: r.cardsAt - from,
    paintedMs: r.paintedAt - from,
    firstRenderMs: r.firstCardsAt - from,
    firstPaintedMs: r.firstPaintedAt - from,
  };
}

async function expectMode(page: Page, editable: boolean): Promise<void> {
  const mode = (await page.getByTestId('board-mode').textContent()) ?? '';
  if (editable !== mode.startsWith('Editable')) throw new Error(`expected an ${editable ? 'editable' : 'read-only'} board, the page says "${mode}"`);
}

/**
 * Each repetition: a fresh signed-in context opens the neutral 8-card board, then switches to the target board and
 * back, first with an empty query cache for that board (cold: fetch + render) and then again (warm: render from the
 * cache). Big and small alternate which goes first.
 */
async function measureBoard(browser: Browser, t: TestServer, editable: boolean): Promise<{ samples: SwitchSample[]; dom: DomSize }> {
  const samples: SwitchSample[] = [];
  let dom: DomSize = { boardElements: NaN, documentElements: NaN };
  for (let rep = 0; rep < BOARD_REPS; rep++) {
    const context = await appContext(browser, t);
    try {
      const page = await context.newPage();
      await page.goto(`${t.url}/kanban?projectId=${NEUTRAL.projectId}`);
      await page.waitForSelector(cardSelector(NEUTRAL), { timeout: 15_000 });
      await waitLive(page);
      await expectMode(page, editable);
      await delay(500);
      const order: ['big' | 'small', BoardSpec][] =
        rep % 2 === 0
          ? [
              ['big', BIG],
              ['small', SMALL],
            ]
          : [
              ['small', SMALL],
              ['big', BIG],
            ];
      for (let pass = 0; pass < 2; pass++) {
        for (const [name, spec] of order) {
          samples.push(toSample(name, await switchTo(page, spec)));
          if (rep === 0 && name === 'big')
            dom = await page.evaluate(() => ({
              boardElements: document.querySelectorAll('[data-testid=kanban-board] *').length,
              documentElements: document.querySelectorAll('*').length,
            }));
          await delay(200);
          await switchTo(page, NEUTRAL);
          await delay(200);
        }
      }
    } finally {
      await context.close();
    }
  }
  return { samples, dom };
}

interface DomSize {
  boardElements: number;
  documentElements: number;
}

// ---------- 4. responsiveness under live events ----------

interface WindowResult {
  sample: ResponsivenessSample;
  eventsSent: number;
  postFailures: number;
  postP95Ms: number;
}

/**
 * One measured window: frames, long tasks and input latency in the page while Playwright dispatches a real input
 * every 500 ms (alternately a mouse move over the board and a Shift key press) and, with a stream, 5 story events are
 * posted every 100 ms. Both loops follow a fixed schedule, so a slow answer does not lower the offered rate.
 */
async function measureWindow(page: Page, t: TestServer, stream: StoryStream | null, seconds = STREAM_S): Promise<WindowResult> {
  const box = await page.getByTestId('kanban-board').boundingBox();
  if (!box) throw new Error('the board is not on screen');
  const points = [
    { x: box.x + Math.min(200, box.width / 3), y: box.y + 150 },
    { x: box.x + Math.min(700, (box.width * 2) / 3), y: box.y + 300 },
  ];
  await page.evaluate(() => window.__bench!.startResponsiveness());
  const start = performance.now();
  const end = start + seconds * 1000;
  const untilTick = (at: number) => delay(Math.max(0, at - performance.now()));

  const inputs = (async () => {
    for (let i = 1; start + i * INPUT_EVERY_MS < end; i++) {
      await untilTick(start + i * INPUT_EVERY_MS);
      if (i % 2 === 0) await page.keyboard.press('Shift');
      else await page.mouse.move(points[(i >> 1) % 2]!.x, points[(i >> 1) % 2]!.y);
    }
  })();

  let eventsSent = 0;
  let postFailures = 0;
  const postMs: number[] = [];
  const posts = (async () => {
    if (!stream) return;
    const inFlight = new Set<Promise<void>>();
    const perTick = Math.round((RATE * TICK_MS) / 1000);
    for (let i = 0; start + i * TICK_MS < end; i++) {
      await untilTick(start + i * TICK_MS);
      const events = stream.batch(perTick);
      const sentAt = performance.now();
      const p: Promise<void> = ingest(t, events).then(
        () => {
          eventsSent += events.length;
          postMs.push(performance.now() - sentAt);
        },
        (err: unknown) => {
          postFailures++;
          console.error(`  ingest failed: ${String(err)}`);
        },
      );
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      if (inFlight.size >= 20) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  })();

  await Promise.all([inputs, posts]);
  const sample = await page.evaluate(() => window.__bench!.stopResponsiveness());
  return { sample, eventsSent, postFailures, postP95Ms: percentile(sorted(postMs), 95) };
}

interface KeptUp {
  matched: boolean;
  /** From the last acknowledged POST until every card's column in the DOM equals the REST board's. */
  afterMs: number;
  mismatched: number;
}

async function checkKeptUp(page: Page, t: TestServer): Promise<KeptUp> {
  const from = performance.now();
  const res = await t.get(`/api/v1/kanban/board?projectId=${BIG.projectId}`);
  if (res.status !== 200) throw new Error(`GET board answered ${res.status}`);
  const board = (await res.json()) as KanbanBoard;
  const expected = new Map(board.columns.flatMap((c) => c.cards.map((s) => [s.id, c.key] as const)));
  let mismatched = Infinity;
  for (let i = 0; i < 60; i++) {
    const shown = await page.evaluate((sel) => window.__bench!.cardColumns(sel), cardSelector(BIG));
    mismatched = [...expected].filter(([id, col]) => shown[id] !== col).length + Math.max(0, Object.keys(shown).length - expected.size);
    const elapsed = performance.now() - from;
    if (mismatched === 0) return { matched: true, afterMs: elapsed, mismatched: 0 };
    if (elapsed > BUDGET.keptUpMs) break;
    await delay(50);
  }
  return { matched: false, afterMs: performance.now() - from, mismatched };
}

interface ResponsivenessResult {
  idle: WindowResult;
  stream: WindowResult;
  keptUp: KeptUp;
}

async function measureResponsiveness(browser: Browser, t: TestServer, stories: readonly SeedStory[], editable: boolean): Promise<ResponsivenessResult> {
  const context = await appContext(browser, t);
  try {
    const page = await context.newPage();
    await page.goto(`${t.url}/kanban?projectId=${BIG.projectId}`);
    await page.waitForFunction(([sel, n]) => document.querySelectorAll(sel).length >= n, [cardSelector(BIG), BIG.cards] as const, { timeout: 15_000 });
    await waitLive(page);
    await expectMode(page, editable);
    await delay(1000);
    const idle = await measureWindow(page, t, null);
    const stream = await measureWindow(page, t, new StoryStream(stories));
    const keptUp = await checkKeptUp(page, t);
    return { idle, stream, keptUp };
  } finally {
    await context.close();
  }
}

interface WindowStats {
  frameP50: number;
  frameP95: number;
  frameMax: number;
  framesOver50Ms: number;
  longTasks: number;
  longTaskMs: number;
  longestTaskMs: number;
  inputP50: number;
  inputP95: number;
  inputMax: number;
  inputs: number;
  slowEvents: number;
  slowEventMaxMs: number;
  animationsMax: number;
}

function windowStats(s: ResponsivenessSample): WindowStats {
  const intervals = s.frames.slice(1).map((f, i) => f - s.frames[i]!);
  const inputs = s.inputs.map((i) => i.ms);
  return {
    frameP50: median(intervals),
    frameP95: percentile(sorted(intervals), 95),
    frameMax: Math.max(0, ...intervals),
    framesOver50Ms: intervals.filter((i) => i > 50).length,
    longTasks: s.longTasks.length,
    longTaskMs: s.longTasks.reduce((a, b) => a + b.duration, 0),
    longestTaskMs: Math.max(0, ...s.longTasks.map((l) => l.duration)),
    inputP50: median(inputs),
    inputP95: percentile(sorted(inputs), 95),
    inputMax: Math.max(0, ...inputs),
    inputs: inputs.length,
    slowEvents: s.slowEvents.length,
    slowEventMaxMs: Math.max(0, ...s.slowEvents.map((e) => e.duration)),
    animationsMax: Math.max(0, ...s.animations),
  };
}

// ---------- profiles (unmeasured extra runs) ----------

/**
 * Runs `fn` under the JS sampling profiler (CDP Profiler), a devtools.timeline trace (what the profiler calls
 * "(program)": style, layout, paint) and the card render counter. Diagnostics only: their overhead is in these runs.
 */
async function diagnosed(browser: Browser, page: Page, name: string, fn: () => Promise<unknown>): Promise<ProfileRun> {
  const cdp = await page.context().newCDPSession(page);
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
  await cdp.send('Profiler.start');
  await page.evaluate(() => window.__benchRenders!.start());
  let profile: CpuProfile;
  let traceBuffer: Buffer;
  let renders: CardRenders;
  try {
    await fn();
  } finally {
    renders = await page.evaluate(() => window.__benchRenders!.stop());
    profile = (await cdp.send('Profiler.stop')).profile as CpuProfile;
    traceBuffer = await browser.stopTracing();
    await cdp.detach().catch(() => undefined);
  }
  fs.mkdirSync(profileDir, { recursive: true });
  const base = path.join(profileDir, `web-${stamp}-${name}`);
  fs.writeFileSync(`${base}.cpuprofile`, JSON.stringify(profile));
  fs.writeFileSync(`${base}.trace.json.gz`, zlib.gzipSync(traceBuffer));
  return {
    name,
    file: path.relative(repoRoot, `${base}.cpuprofile`),
    traceFile: path.relative(repoRoot, `${base}.trace.json.gz`),
    summary: summarizeProfile(profile, new BundleSymbolizer(webDir, repoRoot)),
    trace: summarizeTrace(JSON.parse(traceBuffer.toString('utf8')) as Parameters<typeof summarizeTrace>[0]),
    renders,
  };
}

interface ProfileRun {
  name: string;
  file: string;
  traceFile: string;
  summary: ProfileSummary;
  trace: TraceSummary;
  renders: CardRenders;
}

/** Unmeasured extra runs with the diagnostics on: one cold switch to the big board, and a few seconds of stream. */
async function profileRuns(browser: Browser, t: TestServer, stories: readonly SeedStory[], mode: string): Promise<ProfileRun[]> {
  const context = await appContext(browser, t);
  await context.addInitScript(installRenderCounter);
  try {
    const page = await context.newPage();
    await page.goto(`${t.url}/kanban?projectId=${NEUTRAL.projectId}`);
    await page.waitForSelector(cardSelector(NEUTRAL), { timeout: 15_000 });
    await waitLive(page);
    await delay(500);
    const runs = [await diagnosed(browser, page, `${mode}-switch-big-cold`, () => switchTo(page, BIG))];
    await delay(500);
    runs.push(await diagnosed(browser, page, `${mode}-stream-${PROFILE_STREAM_S}s`, () => measureWindow(page, t, new StoryStream(stories), PROFILE_STREAM_S)));
    return runs;
  } finally {
    await context.close();
  }
}

// ---------- the run ----------

async function withServer<T>(editable: boolean, fn: (t: TestServer, stories: SeedStory[]) => Promise<T>): Promise<T> {
  const t = await startTestServer({ config: { kanbanEditable: editable, ingest: { rateLimitPerSecond: 1_000_000 } } });
  try {
    const { big } = await seed(t);
    const res = await t.get(`/api/v1/kanban/board?projectId=${BIG.projectId}`);
    const board = (await res.json()) as KanbanBoard;
    const cards = board.columns.reduce((a, c) => a + c.cards.length, 0);
    if (cards !== BIG.cards) throw new Error(`the seeded board has ${cards} cards, expected ${BIG.cards}`);
    return await fn(t, big);
  } finally {
    await t.close();
  }
}

interface ModeResult {
  mode: 'read-only' | 'editable';
  board: SwitchSample[];
  dom: DomSize;
  responsiveness: ResponsivenessResult;
  profiles: ProfileRun[];
}

const loadBefore = machineLoad();
console.log(`web bench: Chromium via playwright-core, ${os.cpus().length} CPUs, node ${process.version}, load average ${loadBefore.toFixed(2)}`);
const build = ensureBuilt();
const indexHtmlAtStart = fs.readFileSync(path.join(webDir, 'index.html'), 'utf8');
const initialJs = measureInitialJs();
console.log(`  1. initial JS: ${kb(initialJs.initialGzipBytes)} gzipped in ${initialJs.files.length} files (all JS: ${kb(initialJs.allJsGzipBytes)})`);

const browser = await launchBrowser();
const browserVersion = browser.version();
let paint: PaintResult | undefined;
const modes: ModeResult[] = [];
try {
  for (const editable of [false, true]) {
    const mode = editable ? 'editable' : 'read-only';
    await withServer(editable, async (t, stories) => {
      if (!editable) {
        process.stdout.write(`  2. first dashboard paint, ${PAINT_REPS} cold loads each... `);
        paint = await measureFirstPaint(browser, t);
        console.log(`FCP ${ms(median(paint.app.map((s) => s.fcp)))} (static page ${ms(median(paint.baseline.map((s) => s.fcp)))})`);
      }
      process.stdout.write(`  3. board switches (${mode}), ${BOARD_REPS} reps... `);
      const { samples: board, dom } = await measureBoard(browser, t, editable);
      const big = board.filter((s) => s.spec === 'big' && s.cache === 'cold');
      console.log(`${BIG.cards} cards render ${ms(median(big.map((s) => s.renderMs)))} after the response`);
      process.stdout.write(`  4. responsiveness (${mode}), ${STREAM_S} s idle + ${STREAM_S} s at ${RATE} events/s... `);
      const responsiveness = await measureResponsiveness(browser, t, stories, editable);
      const st = windowStats(responsiveness.stream.sample);
      console.log(
        `input p95 ${ms(st.inputP95)}, ${st.longTasks} long tasks, kept up: ${responsiveness.keptUp.matched ? `yes (${ms(responsiveness.keptUp.afterMs)})` : 'NO'}`,
      );
      let profiles: ProfileRun[] = [];
      if (PROFILE) {
        process.stdout.write(`     CPU profiles (${mode}, unmeasured extra runs)... `);
        profiles = await profileRuns(browser, t, stories, mode);
        console.log('done');
      }
      modes.push({ mode, board, dom, responsiveness, profiles });
    });
  }
} finally {
  await browser.close();
}
const loadAfter = machineLoad();
const distChanged = fs.readFileSync(path.join(webDir, 'index.html'), 'utf8') !== indexHtmlAtStart;

// ---------- report ----------

interface Row {
  metric: string;
  value: string;
  baseline: string;
  ratio: string;
  budget: string;
  vsBudget: string;
  met: string;
}
const rows: Row[] = [];
const verdict = (ok: boolean) => (ok ? 'yes' : 'NO');

rows.push({
  metric: '1. initial JS, gzip -9 (entry + modulepreload + theme script)',
  value: kb(initialJs.initialGzipBytes),
  baseline: `all JS ${kb(initialJs.allJsGzipBytes)}`,
  ratio: pct(initialJs.initialGzipBytes / initialJs.allJsGzipBytes),
  budget: '<= 150 KB',
  vsBudget: pct(initialJs.initialGzipBytes / BUDGET.initialJsGzipBytes),
  met: verdict(initialJs.initialGzipBytes <= BUDGET.initialJsGzipBytes),
});

const p = paint!;
const baseFcp = median(p.baseline.map((s) => s.fcp));
for (const [label, values] of [
  ['2a. /workflows first-contentful-paint', p.app.map((s) => s.fcp)],
  ['2b. /workflows first row in DOM', p.app.map((s) => s.firstRow)],
  ['2c. /workflows first row painted', p.app.map((s) => s.firstRowPainted)],
] as const) {
  const m = median(values);
  rows.push({
    metric: `${label} (median / p90)`,
    value: `${ms(m)} / ${ms(p90(values))}`,
    baseline: `static FCP ${ms(baseFcp)} / ${ms(p90(p.baseline.map((s) => s.fcp)))}`,
    ratio: x(m / baseFcp),
    budget: '<= 1000 ms',
    vsBudget: pct(p90(values) / BUDGET.firstPaintMs),
    met: verdict(p90(values) <= BUDGET.firstPaintMs),
  });
}

for (const m of modes) {
  const pick = (spec: 'big' | 'small', cache: 'cold' | 'warm') => m.board.filter((s) => s.spec === spec && s.cache === cache);
  const line = (
    label: string,
    cache: 'cold' | 'warm',
    key: keyof Pick<SwitchSample, 'renderMs' | 'paintedMs' | 'fetchMs' | 'totalMs' | 'firstRenderMs' | 'firstPaintedMs'>,
    budgeted: boolean,
  ) => {
    const big = median(pick('big', cache).map((s) => s[key]));
    const small = median(pick('small', cache).map((s) => s[key]));
    rows.push({
      metric: `3. ${m.mode}: ${label}`,
      value: ms(big),
      baseline: `50 cards ${ms(small)}`,
      ratio: x(big / small),
      budget: budgeted ? '<= 200 ms' : '',
      vsBudget: budgeted ? pct(big / BUDGET.boardRenderMs) : '',
      met: budgeted ? verdict(big <= BUDGET.boardRenderMs) : '',
    });
  };
  // The budget is the board on screen: its first screenful per column painted. The rest mount a step per frame after it.
  line(`${BIG.cards} cards, cold: response end -> board painted (first cards per column)`, 'cold', 'firstPaintedMs', true);
  line(`${BIG.cards} cards, cold: response end -> every card in DOM`, 'cold', 'renderMs', false);
  line(`${BIG.cards} cards, cold: response end -> every card painted`, 'cold', 'paintedMs', false);
  line(`${BIG.cards} cards, cold: change -> response end (fetch)`, 'cold', 'fetchMs', false);
  line(`${BIG.cards} cards, warm (cached): change -> board painted (first cards per column)`, 'warm', 'firstPaintedMs', true);
  line(`${BIG.cards} cards, warm (cached): change -> every card painted`, 'warm', 'paintedMs', false);

  const idle = windowStats(m.responsiveness.idle.sample);
  const live = windowStats(m.responsiveness.stream.sample);
  const ev = m.responsiveness.stream.eventsSent;
  rows.push({
    metric: `4. ${m.mode}: input -> next frame p50 / p95 / max (${live.inputs} inputs)`,
    value: `${ms(live.inputP50)} / ${ms(live.inputP95)} / ${ms(live.inputMax)}`,
    baseline: `idle ${ms(idle.inputP50)} / ${ms(idle.inputP95)} / ${ms(idle.inputMax)}`,
    ratio: x(live.inputP95 / idle.inputP95),
    budget: '<= 50 ms p95',
    vsBudget: pct(live.inputP95 / BUDGET.inputLatencyP95Ms),
    met: verdict(live.inputP95 <= BUDGET.inputLatencyP95Ms),
  });
  rows.push({
    metric: `4. ${m.mode}: frame interval p50 / p95 / max (frames > 50 ms)`,
    value: `${ms(live.frameP50)} / ${ms(live.frameP95)} / ${ms(live.frameMax)} (${live.framesOver50Ms})`,
    baseline: `idle ${ms(idle.frameP50)} / ${ms(idle.frameP95)} / ${ms(idle.frameMax)} (${idle.framesOver50Ms})`,
    ratio: x(live.frameP95 / idle.frameP95),
    budget: '',
    vsBudget: '',
    met: '',
  });
  rows.push({
    metric: `4. ${m.mode}: long tasks (count, total, longest)`,
    value: `${live.longTasks}, ${ms(live.longTaskMs)}, ${ms(live.longestTaskMs)}`,
    baseline: `idle ${idle.longTasks}, ${ms(idle.longTaskMs)}`,
    ratio: idle.longTaskMs > 0 ? x(live.longTaskMs / idle.longTaskMs) : '-',
    budget: '',
    vsBudget: pct(live.longTaskMs / (STREAM_S * 1000)),
    met: '',
  });
  rows.push({
    metric: `4. ${m.mode}: running Web Animations, max (live highlights)`,
    value: String(live.animationsMax),
    baseline: `idle ${idle.animationsMax}`,
    ratio: '',
    budget: '',
    vsBudget: '',
    met: '',
  });
  rows.push({
    metric: `4. ${m.mode}: board = REST after ${ev} events (${(ev / STREAM_S).toFixed(0)}/s)`,
    value: m.responsiveness.keptUp.matched ? `matched in ${ms(m.responsiveness.keptUp.afterMs)}` : `${m.responsiveness.keptUp.mismatched} cards differ`,
    baseline: '',
    ratio: '',
    budget: '<= 3000 ms',
    vsBudget: pct(m.responsiveness.keptUp.afterMs / BUDGET.keptUpMs),
    met: verdict(m.responsiveness.keptUp.matched && m.responsiveness.stream.postFailures === 0),
  });
}

function table(list: readonly Row[]): string {
  const header: Row = {
    metric: 'metric',
    value: 'value',
    baseline: 'baseline (same run)',
    ratio: 'ratio',
    budget: 'budget',
    vsBudget: 'of budget',
    met: 'met',
  };
  const keys = Object.keys(header) as (keyof Row)[];
  const widths = keys.map((k) => Math.max(header[k].length, ...list.map((r) => r[k].length)));
  const fmt = (r: Row) => keys.map((k, i) => (i === 0 ? r[k].padEnd(widths[i]!) : r[k].padStart(widths[i]!))).join(' | ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...list.map(fmt)].join('\n');
}

console.log(`\n${table(rows)}\n`);
console.log('ratio: value / baseline; "of budget": value / budget (first paint: p90 / budget; long tasks: share of the window).');
console.log(
  `responsiveness budget used here: input -> next frame p95 <= ${BUDGET.inputLatencyP95Ms} ms and the board equal to REST within ${BUDGET.keptUpMs} ms of the last event.`,
);
console.log(
  `JS requested before the first workflow row: ${kb(p.jsBeforeFirstRowGzipBytes)} gzipped in ${p.scriptsBeforeFirstRow.length} files ` +
    '(initial JS, the route chunk, and whatever the idle-time prefetch of the other routes had started by then).',
);
const steps = [
  { what: 'HTML', endMs: median(p.app.map((s) => s.htmlResponseEnd)) },
  ...waterfall(p.app),
  { what: 'FCP', endMs: median(p.app.map((s) => s.fcp)) },
  { what: 'DOMContentLoaded', endMs: median(p.app.map((s) => s.domContentLoaded)) },
  { what: 'first row', endMs: median(p.app.map((s) => s.firstRow)) },
].sort((a, b) => a.endMs - b.endMs);
console.log(
  `/workflows waterfall (median ms from navigation start; response ends unless "sent"):\n  ${steps.map((st) => `${st.what} ${st.endMs.toFixed(0)}`).join(' > ')}`,
);
for (const m of modes)
  console.log(
    `DOM of the ${BIG.cards}-card board (${m.mode}): ${m.dom.boardElements} elements, ${(m.dom.boardElements / BIG.cards).toFixed(1)} per card; ${m.dom.documentElements} in the document`,
  );
for (const m of modes) {
  for (const run of m.profiles) {
    const r = run.renders;
    console.log(`\ndiagnostics ${run.name}: ${run.file} (+ ${path.basename(run.traceFile)})`);
    console.log(
      `  React: ${r.commits} commits, ${r.commitsWithCards} touched cards; card renders ${r.renders} + mounts ${r.mounts}, at most ${r.maxPerCommit} in one commit`,
    );
    const tr = run.trace;
    console.log(`  renderer main thread: busy ${ms(tr.busyMs)} of ${ms(tr.windowMs)}; self time by trace event:`);
    console.log(
      `    ${tr.bySelf
        .slice(0, 8)
        .map((e) => `${e.name} ${ms(e.ms)}`)
        .join(', ')}`,
    );
    console.log(`  JS profile (${(run.summary.sampledMs / 1000).toFixed(1)} s sampled, ${run.summary.idlePct.toFixed(0)}% idle), self time by file:`);
    console.log(
      `    ${run.summary.byFile
        .slice(0, 8)
        .map((f) => `${f.file} ${ms(f.ms)}`)
        .join(', ')}`,
    );
    console.log('  top functions (self time, source-mapped):');
    for (const f of run.summary.byFunction.filter((f) => !f.fn.startsWith('(')).slice(0, 8))
      console.log(`    ${f.pct.toFixed(1).padStart(5)}% ${ms(f.ms).padStart(8)}  ${f.fn}`);
  }
}
if (distChanged)
  console.log(
    '\nWARNING: dist/web/index.html changed during the run (someone rebuilt the web app): the pages measured may not be the build whose size is reported.',
  );
if (loadBefore > 0.7 || loadAfter > 0.7)
  console.log(`\nload average was ${loadBefore.toFixed(2)} before and ${loadAfter.toFixed(2)} after: other processes shared the CPUs, expect noisy figures.`);

fs.mkdirSync(resultsDir, { recursive: true });
const file = path.join(resultsDir, `web-${stamp}.json`);
const report = {
  startedAt: startedAt.toISOString(),
  finishedAt: new Date().toISOString(),
  git: gitInfo(),
  node: process.version,
  chromium: browserVersion,
  platform: `${os.platform()} ${os.release()}`,
  cpus: { count: os.cpus().length, model: os.cpus()[0]?.model },
  loadAverage: { before: loadBefore, after: loadAfter },
  build: { ...build, changedDuringRun: distChanged },
  budgets: BUDGET,
  plan: {
    paintReps: PAINT_REPS,
    boardReps: BOARD_REPS,
    streamSeconds: STREAM_S,
    eventsPerSecond: RATE,
    tickMs: TICK_MS,
    inputEveryMs: INPUT_EVERY_MS,
    viewport: DESKTOP,
  },
  table: rows,
  initialJs,
  firstPaint: p,
  modes: modes.map((m) => ({
    mode: m.mode,
    board: m.board,
    dom: m.dom,
    responsiveness: {
      keptUp: m.responsiveness.keptUp,
      idle: { ...windowStats(m.responsiveness.idle.sample), eventsSent: 0, longTaskList: m.responsiveness.idle.sample.longTasks },
      stream: {
        ...windowStats(m.responsiveness.stream.sample),
        eventsSent: m.responsiveness.stream.eventsSent,
        postFailures: m.responsiveness.stream.postFailures,
        postP95Ms: m.responsiveness.stream.postP95Ms,
        longTaskList: m.responsiveness.stream.sample.longTasks,
        slowEventList: m.responsiveness.stream.sample.slowEvents,
      },
    },
    profiles: m.profiles,
  })),
};
fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
console.log(`results written to ${path.relative(process.cwd(), file)}`);
