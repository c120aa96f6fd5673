/**
 * Our server under test: the production startServer on a temp SQLite file, in its own process.
 * Usage (forked by realtime.bench.ts): node --import tsx --expose-gc bench/realtime/servers/ours.ts <dataDir>
 */
import { createLogger } from '../../../src/server/observability/logger.js';
import { startServer } from '../../../src/server/server.js';
import { benchServerConfig } from '../../support/run-info.js';
import { serveRpc } from '../rpc.js';
import { PublishLog, statsHandlers, wallNow } from './server-stats.js';

export interface OursHello {
  url: string;
  readKey: string;
  ingestKey: string;
  metricsKey: string;
}

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: ours.ts <dataDir>');

const server = await startServer(benchServerConfig(dataDir), { logger: createLogger('silent') });
const actor = { actorType: 'system' as const, actorId: null };
const auth = server.core.auth;
const hello: OursHello = {
  url: server.url,
  readKey: (await auth.createApiKey('bench read', ['read'], actor)).key,
  ingestKey: (await auth.createApiKey('bench ingest', ['ingest'], actor)).key,
  metricsKey: (await auth.createApiKey('bench metrics', ['metrics'], actor)).key,
};

// The gateway subscribed to the publisher inside startServer, so a second listener would run after the fan-out.
// Wrapping publish instead stamps each event at the moment the writer hands it over, right after the commit.
const log = new PublishLog();
const publisher = server.core.publisher;
const publish = publisher.publish.bind(publisher);
publisher.publish = (events) => {
  const at = wallNow();
  for (const e of events) log.record(e.eventId, at);
  publish(events);
  if (events.length > 0) log.roundDone(events[0]!.eventId, wallNow() - at);
};

serveRpc(
  hello,
  statsHandlers(log, () => server.gateway.connectionCount),
  () => server.close(),
);
