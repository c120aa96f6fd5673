import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { INITIAL_JS_BUDGET_BYTES, measureInitialJs } from '../../bench/web/initial-js.js';

const webDir = path.resolve('dist/web');

// A size, not a timing: the built app's first load must not grow past the budget unnoticed. `npm test` builds
// dist/web first; bench:web reports the same figure with its context.
describe('the first load of the built app', () => {
  it(`waits for at most ${INITIAL_JS_BUDGET_BYTES / 1024} KB of gzipped JavaScript`, () => {
    expect(fs.existsSync(path.join(webDir, 'index.html')), 'dist/web is built by `npm test` (build:web) before the tests run').toBe(true);
    const m = measureInitialJs(webDir);
    expect(m.files.length).toBeGreaterThan(0);
    const listing = m.files.map((f) => `${f.file} ${(f.gzipBytes / 1024).toFixed(1)} KB`).join(', ');
    expect(m.initialGzipBytes, `initial JS: ${listing}`).toBeLessThanOrEqual(INITIAL_JS_BUDGET_BYTES);
    // The drawer of the notification bell is loaded when it is first opened.
    expect(m.files.some((f) => /NotificationsDrawer/.test(f.file))).toBe(false);
  });
});
