import { configSchema } from '../../src/server/config.js';
import { createCore } from '../../src/server/core.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

/**
 * What the kill -9 test (tests/crash/ingest-kill9.test.ts) and the crash soak (bench/soak/soak-crash.ts) share:
 * the ingest key written into the data directory before the first start, the server's environment, and the one
 * request both count as an acknowledgement.
 */

export const CRASH_ADMIN = { email: 'crash-admin@example.test', password: 'crash test admin password' };

/** Creates the bootstrap admin and an ingest key (any source) in `dataDir`; returns the key's secret. */
export async function provisionIngestKey(dataDir: string, name: string): Promise<string> {
  // In-process with cheap scrypt: the server's default cost would spend seconds hashing the bootstrap password.
  const core = await createCore(configSchema.parse({ dataDir, logLevel: 'silent', auth: { scryptCostLog2: 10 } }));
  try {
    await core.auth.ensureBootstrapAdmin(CRASH_ADMIN.email, CRASH_ADMIN.password);
    return (await core.auth.createApiKey(name, ['ingest'], { actorType: 'system', actorId: null })).key;
  } finally {
    await core.close();
  }
}

/** The real server in its own process on 127.0.0.1, silent, with the per-key ingest limit out of the way. */
export function startIngestServer(opts: { port: number; dataDir: string; startTimeoutMs: number }): Promise<ServerProcess> {
  return startServerProcess({
    ...opts,
    env: {
      BMAD_OPS_LOG_LEVEL: 'silent',
      BMAD_OPS_ADMIN_EMAIL: CRASH_ADMIN.email,
      BMAD_OPS_ADMIN_PASSWORD: CRASH_ADMIN.password,
      // The burst must be limited only by the server's own throughput, never refused by the per-key limiter.
      BMAD_OPS_INGEST_RATE_LIMIT: '100000',
    },
  });
}

/** POST /api/v1/events. Throws when no complete response arrives (connection cut by a kill, timeout). */
export async function postEvents(url: string, key: string, events: readonly unknown[], timeoutMs: number): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${url}/api/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  // Reading the whole body is part of the acknowledgement: a response cut off by the kill proves nothing.
  return { status: res.status, body: await res.json() };
}
