/**
 * In-page instrumentation for bench/web. `installProbe` runs in Chromium before any page script (context.addInitScript),
 * so it must be self-contained: Playwright sends its source text, not its closure. Everything it measures uses the
 * page's own clock (performance.now(), origin = navigation start), so no Node <-> browser round trip is in a figure.
 */

export interface SwitchTiming {
  timedOut: boolean;
  /** The `change` event of the project <select> (capture phase, before React sees it). */
  changeAt: number;
  /** The MutationObserver callback that first saw one of the board's cards: the board renders a screenful first. */
  firstCardsAt: number;
  /** After that frame's paint: the board is on screen (the rest of its cards mount a step per frame after it). */
  firstPaintedAt: number;
  /** The MutationObserver callback that first saw all the board's cards in the DOM. */
  cardsAt: number;
  /** The next animation frame after that, and a task posted from it: the frame holding the cards has been painted. */
  frameAt: number;
  paintedAt: number;
  /** The board request issued after the change: null when the board came from the query cache. */
  fetch: { startTime: number; responseEnd: number } | null;
}

export interface ResponsivenessSample {
  /** requestAnimationFrame timestamps, in order. */
  frames: number[];
  /** Per dispatched input: the time from the event's timestamp to the next animation frame callback. */
  inputs: { kind: string; ms: number }[];
  longTasks: { start: number; duration: number }[];
  /** Event Timing entries (>= 16 ms only, the API's floor) for discrete inputs such as keydown. */
  slowEvents: { name: string; duration: number; inputDelay: number }[];
  /** document.getAnimations().length every 30th frame (the live highlight is a Web Animation per touched card). */
  animations: number[];
  windowMs: number;
}

export interface BenchProbe {
  firstRowAt: number | null;
  firstRowPaintedAt: number | null;
  armSwitch(cardSelector: string, expected: number, boardPath: string): void;
  switchResult(): Promise<SwitchTiming>;
  startResponsiveness(): void;
  stopResponsiveness(): ResponsivenessSample;
  /** storyId -> column key of every card matching the selector. */
  cardColumns(cardSelector: string): Record<string, string>;
}

declare global {
  interface Window {
    __bench?: BenchProbe;
  }
}

/** tsx compiles with esbuild's keepNames, which wraps named functions in `__name(...)`: the page needs the helper. */
export const NAME_SHIM = 'window.__name = window.__name || ((fn) => fn);';

export function installProbe(): void {
  const longTasks: { start: number; duration: number }[] = [];
  const slowEvents: { name: string; start: number; duration: number; inputDelay: number }[] = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as PerformanceEventTiming[]) {
        slowEvents.push({ name: e.name, start: e.startTime, duration: e.duration, inputDelay: e.processingStart - e.startTime });
      }
    }).observe({ type: 'event', buffered: true, durationThreshold: 16 } as PerformanceObserverInit);
  } catch {
    // an entry type this Chromium does not support: those lists stay empty
  }
  performance.setResourceTimingBufferSize(10_000);

  /** Calls back with [next frame start, after that frame's paint] (a task posted from rAF runs after the frame). */
  const afterPaint = (cb: (frameAt: number, paintedAt: number) => void) =>
    requestAnimationFrame(() => {
      const frameAt = performance.now();
      const ch = new MessageChannel();
      ch.port1.onmessage = () => cb(frameAt, performance.now());
      ch.port2.postMessage(0);
    });

  let pendingSwitch: Promise<SwitchTiming> | null = null;
  let resp: { from: number; frames: number[]; inputs: { kind: string; ms: number }[]; animations: number[]; running: boolean; stop: () => void } | null = null;

  const probe: BenchProbe = {
    firstRowAt: null,
    firstRowPaintedAt: null,

    armSwitch(cardSelector, expected, boardPath) {
      pendingSwitch = new Promise<SwitchTiming>((resolve) => {
        let changeAt: number | null = null;
        const onChange = () => {
          changeAt ??= performance.now();
        };
        window.addEventListener('change', onChange, true);
        let firstCardsAt = NaN;
        let firstPaintedAt = NaN;
        const finish = (timedOut: boolean, cardsAt: number, frameAt: number, paintedAt: number) => {
          window.removeEventListener('change', onChange, true);
          const start = changeAt ?? Infinity;
          const entries = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
          const req = entries.filter((e) => e.name.includes(boardPath) && e.startTime >= start - 1).pop();
          resolve({
            timedOut,
            changeAt: changeAt ?? NaN,
            firstCardsAt,
            firstPaintedAt,
            cardsAt,
            frameAt,
            paintedAt,
            fetch: req ? { startTime: req.startTime, responseEnd: req.responseEnd } : null,
          });
        };
        const mo = new MutationObserver(() => {
          if (changeAt === null) return;
          const count = document.querySelectorAll(cardSelector).length;
          if (count > 0 && Number.isNaN(firstCardsAt)) {
            firstCardsAt = performance.now();
            afterPaint((_frameAt, at) => {
              firstPaintedAt = at;
            });
          }
          if (count < expected) return;
          const cardsAt = performance.now();
          mo.disconnect();
          clearTimeout(timer);
          afterPaint((frameAt, paintedAt) => finish(false, cardsAt, frameAt, paintedAt));
        });
        mo.observe(document.body, { childList: true, subtree: true });
        const timer = setTimeout(() => {
          mo.disconnect();
          finish(true, NaN, NaN, NaN);
        }, 15_000);
      });
    },

    switchResult() {
      if (!pendingSwitch) return Promise.reject(new Error('armSwitch was not called'));
      const p = pendingSwitch;
      pendingSwitch = null;
      return p;
    },

    startResponsiveness() {
      const state = {
        from: performance.now(),
        frames: [] as number[],
        inputs: [] as { kind: string; ms: number }[],
        animations: [] as number[],
        running: true,
        stop: () => undefined as void,
      };
      const loop = (ts: number) => {
        state.frames.push(ts);
        if (state.frames.length % 30 === 0) state.animations.push(document.getAnimations().length);
        if (state.running) requestAnimationFrame(loop);
      };
      requestAnimationFrame(loop);
      const onInput = (e: Event) => {
        const at = e.timeStamp;
        requestAnimationFrame(() => state.inputs.push({ kind: e.type, ms: performance.now() - at }));
      };
      window.addEventListener('mousemove', onInput, true);
      window.addEventListener('keydown', onInput, true);
      state.stop = () => {
        state.running = false;
        window.removeEventListener('mousemove', onInput, true);
        window.removeEventListener('keydown', onInput, true);
      };
      resp = state;
    },

    stopResponsiveness() {
      if (!resp) throw new Error('startResponsiveness was not called');
      const s = resp;
      resp = null;
      s.stop();
      return {
        frames: s.frames,
        inputs: s.inputs,
        animations: s.animations,
        longTasks: longTasks.filter((t) => t.start >= s.from),
        slowEvents: slowEvents.filter((e) => e.start >= s.from).map(({ name, duration, inputDelay }) => ({ name, duration, inputDelay })),
        windowMs: performance.now() - s.from,
      };
    },

    cardColumns(cardSelector) {
      const out: Record<string, string> = {};
      for (const el of document.querySelectorAll<HTMLElement>(cardSelector)) {
        out[el.dataset.storyId ?? ''] = el.closest('[data-testid=kanban-column]')?.getAttribute('data-column') ?? '';
      }
      return out;
    },
  };
  window.__bench = probe;

  // First dashboard content: the first workflow row in the DOM, and the frame that painted it.
  const rows = new MutationObserver(() => {
    if (probe.firstRowAt !== null || !document.querySelector('[data-testid=workflow-row]')) return;
    probe.firstRowAt = performance.now();
    rows.disconnect();
    afterPaint((_frameAt, paintedAt) => {
      probe.firstRowPaintedAt = paintedAt;
    });
  });
  rows.observe(document, { childList: true, subtree: true });
}

export interface CardRenders {
  /** React commits while counting. */
  commits: number;
  /** Commits in which at least one card rendered. */
  commitsWithCards: number;
  /** Card renders (a card's <li> got a new props object, i.e. its component rendered) and mounts, over all commits. */
  renders: number;
  mounts: number;
  /** The most cards rendered by a single commit. */
  maxPerCommit: number;
}

export interface RenderCounter {
  start(): void;
  stop(): CardRenders;
}

declare global {
  interface Window {
    __benchRenders?: RenderCounter;
  }
}

/**
 * Diagnostic only (never installed for the timed runs): a minimal React DevTools hook, which production React calls
 * after every commit. While counting, it walks the committed tree and counts the Kanban cards whose component
 * rendered: a card that bailed out (memo) keeps its <li>'s props object, a card that rendered gets a new one.
 */
export function installRenderCounter(): void {
  type Fiber = { type: unknown; memoizedProps: Record<string, unknown> | null; child: Fiber | null; sibling: Fiber | null };
  const seen = new Map<string, unknown>();
  let counting = false;
  let stats: CardRenders = { commits: 0, commitsWithCards: 0, renders: 0, mounts: 0, maxPerCommit: 0 };
  const walk = (root: Fiber): { rendered: number; mounted: number } => {
    let rendered = 0;
    let mounted = 0;
    const stack: Fiber[] = [root];
    for (let guard = 0; stack.length > 0 && guard < 1_000_000; guard++) {
      const f = stack.pop()!;
      const props = f.memoizedProps;
      if (f.type === 'li' && props && props['data-testid'] === 'kanban-card') {
        const id = String(props['data-story-id']);
        const before = seen.get(id);
        if (before === undefined) mounted++;
        else if (before !== props) rendered++;
        seen.set(id, props);
      }
      if (f.sibling) stack.push(f.sibling);
      if (f.child) stack.push(f.child);
    }
    return { rendered, mounted };
  };
  let lastRoot: Fiber | null = null;
  (window as unknown as Record<string, unknown>).__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
    supportsFiber: true,
    isDisabled: false,
    renderers: new Map(),
    inject: () => 1,
    checkDCE: () => undefined,
    onScheduleFiberRoot: () => undefined,
    onCommitFiberUnmount: () => undefined,
    onPostCommitFiberRoot: () => undefined,
    onCommitFiberRoot: (_id: number, root: { current: Fiber }) => {
      lastRoot = root.current;
      if (!counting) return;
      const { rendered, mounted } = walk(root.current);
      stats.commits++;
      if (rendered + mounted > 0) stats.commitsWithCards++;
      stats.renders += rendered;
      stats.mounts += mounted;
      stats.maxPerCommit = Math.max(stats.maxPerCommit, rendered + mounted);
    },
  };
  window.__benchRenders = {
    start() {
      seen.clear();
      if (lastRoot) walk(lastRoot);
      stats = { commits: 0, commitsWithCards: 0, renders: 0, mounts: 0, maxPerCommit: 0 };
      counting = true;
    },
    stop() {
      counting = false;
      return stats;
    },
  };
}
