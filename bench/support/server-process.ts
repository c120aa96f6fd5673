/**
 * The server under test, in its own process so that the load generator does not share its event loop.
 * Usage: node --import tsx bench/support/server-process.ts <dataDir>
 * Prints one JSON line `{ url, key }` once it listens, and shuts down cleanly when its stdin closes (a clean exit is
 * what lets `--cpu-prof` write its profile, and it also means the server dies with the bench if the bench dies).
 */
import { configSchema } from '../../src/server/config.js';
import { createLogger } from '../../src/server/observability/logger.js';
import { startServer } from '../../src/server/server.js';

export interface ServerHello {
  url: string;
  key: string;
}

const dataDir = process.argv[2];
if (!dataDir) {
  console.error('usage: server-process.ts <dataDir>');
  process.exit(2);
}

const config = configSchema.parse({
  port: 0,
  host: '127.0.0.1',
  dataDir,
  logLevel: 'silent',
  // The per-key limit protects a shared server from one noisy client; the bench is that client on purpose.
  ingest: { rateLimitPerSecond: 1_000_000 },
  // Only the bootstrap admin's password is hashed, and its cost has nothing to do with ingestion.
  auth: { scryptCostLog2: 10 },
});

const server = await startServer(config, { logger: createLogger('silent') });
const { key } = await server.core.auth.createApiKey('bench ingest', ['ingest'], { actorType: 'system', actorId: null });
const hello: ServerHello = { url: server.url, key };
process.stdout.write(`${JSON.stringify(hello)}\n`);

process.stdin.resume();
process.stdin.on('end', () => {
  server.close().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error('server close failed', err);
      process.exit(1);
    },
  );
});
