import { execFileSync } from 'node:child_process';
import { configSchema, type Config } from '../../src/server/config.js';

/** The commit a result was measured on, and whether tracked files had uncommitted changes. */
export function gitInfo(): { commit: string; dirty: boolean } | undefined {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
    return { commit, dirty };
  } catch {
    return undefined;
  }
}

/**
 * The production configuration on loopback, with changes that do not touch the measured path: the per-key ingest
 * limit is lifted (the bench is one deliberately busy key), the bootstrap admin's password hash is cheap, and the
 * WebSocket connection caps are raised (thousands of bench clients share one address and one key).
 */
export function benchServerConfig(dataDir: string): Config {
  return configSchema.parse({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    logLevel: 'silent',
    // BENCH_WRITER_THREAD=main commits on the main thread, for an A/B against the default writer thread.
    ingest: { rateLimitPerSecond: 1_000_000, ...(process.env.BENCH_WRITER_THREAD ? { writerThread: process.env.BENCH_WRITER_THREAD } : {}) },
    auth: { scryptCostLog2: 10 },
    // The hourly consistency pass re-projects the whole log (minutes at a million events): a minute after start it
    // would land in the middle of a measurement. It is background verification, not part of any measured path.
    consistency: { firstRunDelayMs: 86_400_000 },
    // BENCH_ROLLUP_BATCH / BENCH_ROLLUP_SLICE_MS set the rollup's batch and slice, for an A/B of its sizing.
    analytics: {
      ...(process.env.BENCH_ROLLUP_BATCH ? { rollupBatchSize: process.env.BENCH_ROLLUP_BATCH } : {}),
      ...(process.env.BENCH_ROLLUP_SLICE_MS ? { rollupSliceMs: process.env.BENCH_ROLLUP_SLICE_MS } : {}),
    },
    realtime: { maxConnections: 100_000, maxConnectionsPerAddress: 100_000, maxUnauthenticated: 100_000, maxConnectionsPerPrincipal: 100_000 },
  });
}
