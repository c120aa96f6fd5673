import fs from 'node:fs';
import { Agent, fetch as undiciFetch } from 'undici';
import os from 'node:os';
import path from 'node:path';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import type { Clock } from '../../src/server/clock.js';
import { configSchema, type Config, type ConfigInput } from '../../src/server/config.js';
import { createLogger, type Logger } from '../../src/server/observability/logger.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { createTestSchema, dropTestSchema, TEST_DATABASE_URL, testBackend } from './postgres.js';
import { forgetSchema, rememberSchema, schemaOf } from './test-db.js';

export const ADMIN = { email: 'admin@example.test', password: 'correct horse battery staple' };

export function tempDir(prefix = 'bmad-ops-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface TestServer {
  server: RunningServer;
  url: string;
  dataDir: string;
  keys: { ingest: string; read: string; metrics: string; all: string };
  config: Config;
  close(): Promise<void>;
  /** fetch against the server with a bearer token (default: the read key). */
  get(pathname: string, token?: string | null): Promise<Response>;
  post(pathname: string, body: unknown, token?: string | null, headers?: Record<string, string>): Promise<Response>;
  ingest(events: unknown[]): Promise<Response>;
}

/**
 * A real HTTP server on a real SQLite file in a fresh temp dir, with an admin account and one key per scope.
 * Cheap password hashing keeps tests fast; everything else is the production configuration.
 */
export async function startTestServer(
  opts: {
    config?: ConfigInput;
    clock?: Clock;
    dataDir?: string;
    /** Turns tracing on, into this exporter. */ spanExporter?: SpanExporter;
    logger?: Logger;
    /** The suite's backend (BMAD_OPS_TEST_BACKEND) unless a test needs one; a database URL in config wins over both. */
    backend?: 'sqlite' | 'postgres';
  } = {},
): Promise<TestServer> {
  const dataDir = opts.dataDir ?? tempDir();
  // On the Postgres backend a data dir stands for one schema: a server restarted on the same dir finds its data.
  const ownSchema = (opts.backend ?? testBackend()) === 'postgres' && !opts.config?.database?.url;
  const schema = ownSchema ? (schemaOf(dataDir) ?? (await createTestSchema('srv'))) : null;
  if (schema) rememberSchema(dataDir, schema);
  const config = configSchema.parse({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    logLevel: 'silent',
    // The monitor's schedule stays off unless a test asks: a pass in the middle of another test's timing is noise.
    consistency: { intervalMs: 0 },
    // The rollup on the main thread unless a test asks for the worker: from source, each worker registers tsx and
    // compiles its modules in a fresh isolate, seconds per test server on a slow machine. The worker has its own
    // tests (tests/analytics/rollup-thread.test.ts), and the servers started as processes (crash, reconnect) use it.
    // The writer's thread likewise (tests/integration/writer-thread.test.ts has its own); TEST_WRITER_THREAD=worker runs
    // every suite's rounds through it.
    ...opts.config,
    analytics: { rollupThread: 'main', ...opts.config?.analytics },
    ingest: { writerThread: process.env.TEST_WRITER_THREAD === 'worker' ? 'worker' : 'main', ...opts.config?.ingest },
    ...(schema ? { database: { url: TEST_DATABASE_URL, schema, poolSize: 4, ...opts.config?.database } } : {}),
    auth: { scryptCostLog2: 10, adminEmail: ADMIN.email, adminPassword: ADMIN.password, ...opts.config?.auth },
  });
  // TEST_LOG=error (or another level) shows a test server's log while chasing a failure; silent otherwise.
  const level = process.env.TEST_LOG ? configSchema.shape.logLevel.safeParse(process.env.TEST_LOG) : undefined;
  const server = await startServer(config, {
    logger: opts.logger ?? createLogger(level?.success ? level.data : 'silent'),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.spanExporter ? { spanExporter: opts.spanExporter } : {}),
  });
  const actor = { actorType: 'system' as const, actorId: null };
  const auth = server.core.auth;
  const keys = {
    ingest: (await auth.createApiKey('test ingest', ['ingest'], actor)).key,
    read: (await auth.createApiKey('test read', ['read'], actor)).key,
    metrics: (await auth.createApiKey('test metrics', ['metrics'], actor)).key,
    all: (await auth.createApiKey('test all', ['ingest', 'read', 'metrics'], actor)).key,
  };
  // One connection pool per test server: keep-alive sockets to a server that was stopped are never reused by the next.
  const agent = new Agent();
  const fetch = (url: string, init: Parameters<typeof undiciFetch>[1] = {}) => undiciFetch(url, { ...init, dispatcher: agent }) as unknown as Promise<Response>;
  const authHeader = (token: string | null | undefined, fallback: string): Record<string, string> =>
    token === null ? {} : { authorization: `Bearer ${token ?? fallback}` };
  const t: TestServer = {
    server,
    url: server.url,
    dataDir,
    keys,
    config,
    async close() {
      await server.close();
      await agent.close();
      if (opts.dataDir) return;
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (schema) {
        forgetSchema(dataDir);
        await dropTestSchema(schema);
      }
    },
    get: (pathname, token) => fetch(`${server.url}${pathname}`, { headers: authHeader(token, keys.read) }),
    post: (pathname, body, token, headers = {}) =>
      fetch(`${server.url}${pathname}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authHeader(token, keys.ingest), ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    ingest: (events) => t.post('/api/v1/events', { events }),
  };
  return t;
}
