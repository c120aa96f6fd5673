/**
 * The server under test, in its own process so that the load generator does not share its event loop.
 * Usage: node --import tsx bench/support/server-process.ts <dataDir>
 * Prints one JSON line `{ url, key }` once it listens, and shuts down cleanly when its stdin closes (a clean exit is
 * what lets `--cpu-prof` write its profile, and it also means the server dies with the bench if the bench dies).
 */
import { benchServerConfig } from './run-info.js';
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

const config = benchServerConfig(dataDir);

const server = await startServer(config, { logger: createLogger('silent') });
const { key } = await server.core.auth.createApiKey('bench ingest', ['ingest'], { actorType: 'system', actorId: null });
const hello: ServerHello = { url: server.url, key };
process.stdout.write(`${JSON.stringify(hello)}\n`);

// With --expose-gc, SIGUSR2 collects garbage and prints the process's memory as one JSON line (bench:memory measures
// after a collection, so garbage left by earlier requests is not counted as the cost of what it measures).
const collect = (globalThis as { gc?: () => void }).gc;
if (collect)
  process.on('SIGUSR2', () => {
    collect();
    process.stdout.write(`${JSON.stringify({ memory: process.memoryUsage() })}\n`);
  });

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
