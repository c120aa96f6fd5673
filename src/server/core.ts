import fs from 'node:fs';
import { systemClock, type Clock } from './clock.js';
import { ConfigError, databaseFile, type Config } from './config.js';
import { WriteTurn } from './db/write-turn.js';
import type { DatabaseHandle } from './db/handle.js';
import { StorageHealth } from './db/storage-health.js';
import { storageProbe } from './db/storage-probe.js';
import { migrate } from './db/migrator.js';
import { openSqlite } from './db/sqlite-connection.js';
import { openPostgres } from './db/postgres-connection.js';
import { OrderedRelay } from './modules/cluster/index.js';
import { AuthService } from './modules/auth/index.js';
import { BudgetsService } from './modules/costs/index.js';
import { CostsService } from './modules/costs/index.js';
import { costSumsRepository } from './modules/costs/index.js';
import { dataPricingFile, loadPricingTable, PricingFileError, type PricingTable } from './pricing/pricing-table.js';
import { EventPublisher } from './modules/events/index.js';
import { EventWriter, WriterThread } from './modules/events/index.js';
import { ConsistencyMonitor } from './modules/consistency/index.js';
import type { CrossViewServices } from './modules/consistency/index.js';
import { IngestionService } from './modules/events/index.js';
import { ProjectsService } from './modules/projects/index.js';
import { BOARD_CARD_LIMIT, BoardStories, StoriesService } from './modules/stories/index.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createProjectionEngine } from './projections.js';
import { Metrics } from './observability/metrics.js';
import { AnalyticsService } from './modules/analytics/index.js';
import type { OutlierSettings } from './modules/analytics/index.js';
import { AgentRollupJob, RollupThread, type RollupRunner } from './modules/analytics/index.js';

function outlierSettings(config: Config): OutlierSettings {
  const a = config.analytics;
  return { threshold: a.outlierThreshold, minPeers: a.minPeers, minHistory: a.minHistory, historyDays: a.historyDays };
}

/** The read services the pages call, shared by the HTTP routes and the consistency monitor's cross-view checks. */
export function readViews(core: Core, budgets = new BudgetsService(core.db, core.clock), opts: { cache?: boolean } = {}): CrossViewServices {
  const { db, clock, config } = core;
  const boardStories = new BoardStories({ limit: BOARD_CARD_LIMIT, cache: opts.cache });
  return {
    projects: new ProjectsService(db, clock, costSumsRepository, boardStories),
    stories: new StoriesService(db, clock, costSumsRepository, { cache: opts.cache, boardStories }),
    analytics: new AnalyticsService(db, outlierSettings(config), (sentBy) => core.auth.senderNames(sentBy)),
    costs: new CostsService(db, clock, {
      defaultCurrency: core.pricing.file.currency,
      budgets,
      cache: opts.cache,
      priceTable: { version: core.pricing.version },
    }),
  };
}

export function createConsistencyMonitor(core: Core, views: CrossViewServices): ConsistencyMonitor {
  const { db, clock, logger, metrics, ingestion, pricing, config } = core;
  return new ConsistencyMonitor({ db, engine: createProjectionEngine(pricing), ingestion, views, clock, logger, metrics }, config.consistency);
}

/** SQLite in the data dir, or Postgres when a database URL is configured. */
export function openDatabase(config: Config, writeTurn?: WriteTurn): DatabaseHandle {
  const pgc = config.database;
  if (pgc.url) return openPostgres({ url: pgc.url, poolSize: pgc.poolSize, lockTimeoutMs: pgc.lockTimeoutMs, ...(pgc.schema ? { schema: pgc.schema } : {}) });
  return openSqlite({ file: databaseFile(config), busyTimeoutMs: config.sqlite.busyTimeoutMs, writeTurn });
}

export interface Core {
  config: Config;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  db: DatabaseHandle;
  publisher: EventPublisher;
  /** Between the writer and the publisher when instances share the database over NATS (null otherwise). */
  relay: OrderedRelay | null;
  writer: EventWriter;
  /** Whether writes reach the disk (a full disk or I/O error fails readiness until a probe write succeeds). */
  storage: StorageHealth;
  auth: AuthService;
  ingestion: IngestionService;
  pricing: PricingTable;
  /** Agent metrics rollup; started by the server (tools that only import leave it idle). */
  rollup: RollupRunner;
  close(): Promise<void>;
}

/** Opens the database, applies migrations (refusing a mismatched database) and wires the services. */
export async function createCore(config: Config, deps: { clock?: Clock; logger?: Logger } = {}): Promise<Core> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? createLogger(config.logLevel);
  const metrics = new Metrics();
  let pricing: PricingTable;
  try {
    // BMAD_OPS_PRICING_FILE, else the table `bmad-ops pricing update` installed in the data dir, else the shipped one.
    const installed = dataPricingFile(config.dataDir);
    pricing = loadPricingTable(config.pricing.file ?? (fs.existsSync(installed) ? installed : undefined));
  } catch (err) {
    if (err instanceof PricingFileError) throw new ConfigError(err.message);
    throw err;
  }
  if (config.nats.url && !config.database.url)
    throw new ConfigError(
      'invalid configuration:\n  BMAD_OPS_NATS_URL / --nats-url: instances share their events through Postgres; set BMAD_OPS_DATABASE_URL too',
    );
  // On the embedded default the rollup gets a thread and a connection of its own, taking turns with this thread's
  // writes (WriteTurn). The worker keeps time by the system clock, so a core given another clock (tests, simulations)
  // folds on this thread, where that clock is.
  const rollupThread = !config.database.url && clock === systemClock && config.analytics.rollupThread === 'worker';
  // The writer's thread stamps rounds by the system clock, or with this thread's time when given another clock.
  const writerThread = !config.database.url && config.ingest.writerThread === 'worker';
  const turnBuffer = rollupThread || writerThread ? WriteTurn.buffer() : undefined;
  const db = openDatabase(config, turnBuffer && new WriteTurn(turnBuffer, 'main'));
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  const publisher = new EventPublisher((err) => logger.error({ err }, 'event listener failed'));
  // Several instances: committed events reach the publisher through the relay, in one order with the others' commits.
  const relay = config.nats.url ? new OrderedRelay(db, publisher, logger) : null;
  await relay?.init();
  const storage = new StorageHealth(storageProbe(db), clock, logger, config.sqlite.storageProbeMs);
  const writeRounds = { maxRetries: config.sqlite.lockRetries, retryDelayMs: 25 };
  const onLockWait = (ms: number) => metrics.sqliteWriteLockWait.observe(ms);
  const threadData = { file: databaseFile(config), busyTimeoutMs: config.sqlite.busyTimeoutMs, pricing: pricing.file, transaction: writeRounds };
  const thread =
    writerThread && turnBuffer
      ? new WriterThread({ ...threadData, writeTurn: turnBuffer, systemClock: clock === systemClock }, { logger, onLockWait })
      : undefined;
  const writer = new EventWriter(db, createProjectionEngine(pricing), relay ?? publisher, clock, {
    ...(thread ? { thread } : {}),
    storage,
    maxQueuedEvents: config.ingest.maxQueuedEvents,
    maxEventsPerTransaction: config.ingest.maxEventsPerTransaction,
    transaction: { ...writeRounds, onLockWait },
  });
  metrics.bindWriterDepth(() => writer.depth);
  const rollupJob = {
    batchSize: config.analytics.rollupBatchSize,
    sliceMs: config.analytics.rollupSliceMs,
    pollIntervalMs: config.analytics.rollupPollMs,
    minIntervalMs: config.analytics.rollupMinIntervalMs,
    outliers: outlierSettings(config),
  };
  const rollupTransaction = { maxRetries: config.sqlite.lockRetries, retryDelayMs: 25 };
  const observer = { onBatch: (ms: number) => metrics.rollupLag.observe(ms), onBacklog: (n: number) => metrics.rollupBacklog.set(n) };
  const rollup: RollupRunner =
    rollupThread && turnBuffer
      ? new RollupThread(
          {
            file: databaseFile(config),
            busyTimeoutMs: config.sqlite.busyTimeoutMs,
            writeTurn: turnBuffer,
            logLevel: config.logLevel,
            job: { ...rollupJob, transaction: rollupTransaction },
          },
          { logger, observer, onLockWait },
        )
      : new AgentRollupJob(db, clock, logger, { ...rollupJob, transaction: { ...rollupTransaction, onLockWait } }, observer);
  publisher.subscribe((events) => metrics.eventsPublished.inc(events.length));
  const auth = new AuthService(db, clock, { sessionTtlHours: config.auth.sessionTtlHours, scryptCostLog2: config.auth.scryptCostLog2 });
  const ingestion = new IngestionService(writer, { countResult: (result, n) => metrics.ingestEvents.inc({ result }, n) });
  return {
    config,
    clock,
    logger,
    metrics,
    db,
    publisher,
    relay,
    writer,
    storage,
    auth,
    ingestion,
    pricing,
    rollup,
    async close() {
      storage.stop();
      await writer.close();
      await rollup.close();
      publisher.stop();
      await db.close();
    },
  };
}
