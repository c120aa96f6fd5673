import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    // npm test runs two files at once on a 2-core CI machine: a test that drives Chromium or spawns many CLI processes
    // takes up to twice as long as alone. Timeouts are there to end a hang, not to time anything.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // expect.poll gives up after 1 s by default. A page that has just navigated fetches its data after the load event,
    // and with two files and their servers sharing 2 cores that fetch has taken more than a second on CI. A poll that
    // is going to succeed returns as soon as it does, so a longer limit costs only the failing case.
    expect: { poll: { timeout: 15_000 } },
    reporters: ['default', './tests/support/summary-reporter.ts'],
  },
});
