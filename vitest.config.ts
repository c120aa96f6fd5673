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
    reporters: ['default', './tests/support/summary-reporter.ts'],
  },
});
