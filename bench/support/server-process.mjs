/**
 * The server under test, in its own process so that the load generator does not share its event loop.
 * Usage: BENCH_SERVER_CONFIG=<json> node [--import tsx] bench/support/server-process.mjs <dataDir>
 * (server-child.ts starts it). Plain JavaScript so that it can run the server as it ships: with BENCH_SERVER_BUILD=1
 * it loads dist/ under bare Node, with no TypeScript loader (a loader's own thread and compiled copies of every module
 * are memory production does not have); otherwise it loads src/ under tsx.
 * Prints one JSON line `{ url, key, readKey }` (an ingest key and a read key) once it listens, and shuts down cleanly when its stdin closes (a clean exit is
 * what lets `--cpu-prof` write its profile, and it also means the server dies with the bench if the bench dies).
 */
const root = process.env.BENCH_SERVER_BUILD === '1' ? '../../dist' : '../../src';
const { configSchema } = await import(`${root}/server/config.js`);
const { createLogger } = await import(`${root}/server/observability/logger.js`);
const { startServer } = await import(`${root}/server/server.js`);

const dataDir = process.argv[2];
const configJson = process.env.BENCH_SERVER_CONFIG;
if (!dataDir || !configJson) {
  console.error('usage: BENCH_SERVER_CONFIG=<json> server-process.mjs <dataDir>');
  process.exit(2);
}
const config = configSchema.parse({ ...JSON.parse(configJson), dataDir });

const server = await startServer(config, { logger: createLogger('silent') });
const actor = { actorType: 'system', actorId: null };
const { key } = await server.core.auth.createApiKey('bench ingest', ['ingest'], actor);
const { key: readKey } = await server.core.auth.createApiKey('bench read', ['read'], actor);
process.stdout.write(`${JSON.stringify({ url: server.url, key, readKey })}\n`);

// With --expose-gc, SIGUSR2 collects garbage and prints the process's memory as one JSON line (bench:memory measures
// after a collection, so garbage left by earlier requests is not counted as the cost of what it measures).
const collect = globalThis.gc;
if (collect)
  process.on('SIGUSR2', () => {
    collect();
    process.stdout.write(`${JSON.stringify({ memory: process.memoryUsage() })}\n`);
  });

process.stdin.resume();
process.stdin.on('end', () => {
  server.close().then(
    () => process.exit(0),
    (err) => {
      console.error('server close failed', err);
      process.exit(1);
    },
  );
});
