import fs from 'node:fs';
import http from 'node:http';
import type { Express } from 'express';
import https from 'node:https';
import { createSecureContext as tlsContext } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { EVENT_TYPES } from '../contracts/index.js';
import { createApp } from './app.js';
import { systemClock, type Clock } from './clock.js';
import { ConfigError, databaseFile, type Config } from './config.js';
import { createBmadConnector, createBmadConnectors, type BmadConnectors } from './connector/bmad/index.js';
import { databaseStateStore } from './modules/connectors/connector-state.store.js';
import { materializeSample, materializeSampleTranscripts, type SampleResult } from './sample/sample-project.js';
import { ClaudeUsageSource, type BmadRoot, type ClaudeUsageReport } from './importers/claude/index.js';
import type { DatabaseHandle } from './db/handle.js';
import { lockDataDir, runningServerPid } from './db/data-dir-lock.js';
import { StorageHealth } from './db/storage-health.js';
import { answerClientErrors } from './http/client-error.js';
import { storageProbe } from './db/storage-probe.js';
import { migrate } from './db/migrator.js';
import { openSqlite } from './db/sqlite-connection.js';
import { DemoWorkspace } from './demo/demo-workspace.js';
import { agentsProjection } from './modules/agents/agents.projection.js';
import { AuthService } from './modules/auth/auth.service.js';
import { oidcSettings } from './modules/auth/oidc/oidc.config.js';
import { OidcSignIn } from './modules/auth/oidc/oidc-sign-in.js';
import { consistencyProjection } from './modules/consistency/consistency.projection.js';
import { SetProjectBudget } from './modules/costs/budgets.command.js';
import { budgetsProjection } from './modules/costs/budgets.projection.js';
import { BudgetsService } from './modules/costs/budgets.service.js';
import { costSourcesProjection, createCostsProjection } from './modules/costs/costs.projection.js';
import { CostsService } from './modules/costs/costs.service.js';
import { costsRepository } from './modules/costs/costs.repository.js';
import { dataPricingFile, loadPricingTable, PricingFileError, type PricingTable } from './pricing/pricing-table.js';
import { BackupService } from './modules/backup/backup.service.js';
import { DocumentRoots } from './modules/documents/document-roots.js';
import { documentsProjection } from './modules/documents/documents.projection.js';
import { DirectoryService } from './modules/directory/directory.service.js';
import { EventPublisher } from './modules/events/event-publisher.js';
import { EventWriter } from './modules/events/event-writer.js';
import { RetentionService } from './modules/events/retention.service.js';
import { ConsistencyMonitor } from './modules/consistency/monitor/consistency-monitor.js';
import type { CrossViewServices } from './modules/consistency/monitor/cross-view.js';
import { IngestionService } from './modules/events/ingestion.service.js';
import { WorkspaceService } from './modules/meta/workspace.service.js';
import { ProjectionEngine } from './modules/events/projection.js';
import { projectsProjection } from './modules/projects/projects.projection.js';
import { ProjectsService } from './modules/projects/projects.service.js';
import { FlowService } from './modules/history/flow.service.js';
import { StoriesService } from './modules/stories/kanban.service.js';
import { ChangeStoryStatus } from './modules/stories/story-status.command.js';
import { storiesProjection } from './modules/stories/stories.projection.js';
import { epicsProjection } from './modules/epics/epics.projection.js';
import { statusTransitionsProjection } from './modules/history/status-transitions.projection.js';
import { syncProjection } from './modules/sync/sync.projection.js';
import { SyncService } from './modules/sync/sync.service.js';
import { createStatus, type StatusModule } from './modules/status/index.js';
import { createAlerts, type Alerts } from './modules/alerts/alerts.module.js';
import { alertChannelsProjection, alertRulesProjection } from './modules/alerts/alert-config.projection.js';
import { alertsProjection } from './modules/alerts/alerts.projection.js';
import { usersProjection } from './modules/users/users.projection.js';
import { workflowsProjection, workflowTransitionsProjection } from './modules/workflows/workflows.projection.js';
import { WorkflowsService } from './modules/workflows/workflows.service.js';
import { OtlpService } from './modules/otlp/otlp.service.js';
import { CONNECTOR_SOURCE } from './connector/bmad/to-events.js';
import { RealtimeGateway } from './modules/realtime/realtime.gateway.js';
import { SnapshotService } from './modules/realtime/snapshot.service.js';
import { createLogger, type Logger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { installTracing } from './observability/tracing-sdk.js';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import { AnalyticsService } from './modules/analytics/analytics.service.js';
import type { OutlierSettings } from './modules/analytics/outliers.js';
import { AgentRollupJob } from './modules/analytics/rollup.job.js';

function outlierSettings(config: Config): OutlierSettings {
  const a = config.analytics;
  return { threshold: a.outlierThreshold, minPeers: a.minPeers, minHistory: a.minHistory, historyDays: a.historyDays };
}

/** Every projection, in the order they run inside the append transaction. */
export function createProjectionEngine(pricing: PricingTable = loadPricingTable()): ProjectionEngine {
  return new ProjectionEngine(
    [
      projectsProjection,
      storiesProjection,
      epicsProjection,
      statusTransitionsProjection,
      workflowsProjection,
      workflowTransitionsProjection,
      agentsProjection,
      usersProjection,
      createCostsProjection(pricing),
      budgetsProjection,
      syncProjection,
      costSourcesProjection,
      documentsProjection,
      consistencyProjection,
      alertRulesProjection,
      alertChannelsProjection,
      alertsProjection,
    ],
    EVENT_TYPES,
  );
}

/** The read services the pages call, shared by the HTTP routes and the consistency monitor's cross-view checks. */
export function readViews(core: Core, budgets = new BudgetsService(core.db, core.clock)): CrossViewServices {
  const { db, clock, config } = core;
  return {
    projects: new ProjectsService(db, clock),
    stories: new StoriesService(db, clock),
    analytics: new AnalyticsService(db, outlierSettings(config), (sentBy) => core.auth.senderNames(sentBy)),
    costs: new CostsService(db, clock, { defaultCurrency: core.pricing.file.currency, budgets, priceTable: { version: core.pricing.version } }),
  };
}

export function createConsistencyMonitor(core: Core, views: CrossViewServices): ConsistencyMonitor {
  const { db, clock, logger, metrics, ingestion, pricing, config } = core;
  return new ConsistencyMonitor({ db, engine: createProjectionEngine(pricing), ingestion, views, clock, logger, metrics }, config.consistency);
}

export function openDatabase(config: Config): DatabaseHandle {
  return openSqlite({ file: databaseFile(config), busyTimeoutMs: config.sqlite.busyTimeoutMs });
}

export interface Core {
  config: Config;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  db: DatabaseHandle;
  publisher: EventPublisher;
  writer: EventWriter;
  /** Whether writes reach the disk (a full disk or I/O error fails readiness until a probe write succeeds). */
  storage: StorageHealth;
  auth: AuthService;
  ingestion: IngestionService;
  pricing: PricingTable;
  /** Agent metrics rollup; started by the server (tools that only import leave it idle). */
  rollup: AgentRollupJob;
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
  const db = openDatabase(config);
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  const publisher = new EventPublisher((err) => logger.error({ err }, 'event listener failed'));
  const storage = new StorageHealth(storageProbe(db), clock, logger, config.sqlite.storageProbeMs);
  const writer = new EventWriter(db, createProjectionEngine(pricing), publisher, clock, {
    storage,
    maxQueuedEvents: config.ingest.maxQueuedEvents,
    maxEventsPerTransaction: config.ingest.maxEventsPerTransaction,
    transaction: {
      maxRetries: config.sqlite.lockRetries,
      retryDelayMs: 25,
      onLockWait: (ms) => metrics.sqliteWriteLockWait.observe(ms),
    },
  });
  metrics.bindWriterDepth(() => writer.depth);
  const rollup = new AgentRollupJob(
    db,
    clock,
    logger,
    {
      batchSize: config.analytics.rollupBatchSize,
      sliceMs: config.analytics.rollupSliceMs,
      pollIntervalMs: config.analytics.rollupPollMs,
      minIntervalMs: config.analytics.rollupMinIntervalMs,
      outliers: outlierSettings(config),
      transaction: { maxRetries: config.sqlite.lockRetries, retryDelayMs: 25, onLockWait: (ms) => metrics.sqliteWriteLockWait.observe(ms) },
    },
    { onBatch: (ms) => metrics.rollupLag.observe(ms), onBacklog: (n) => metrics.rollupBacklog.set(n) },
  );
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
    writer,
    storage,
    auth,
    ingestion,
    pricing,
    rollup,
    async close() {
      storage.stop();
      await writer.close();
      await rollup.stop();
      publisher.stop();
      await db.close();
    },
  };
}

export interface RunningServer {
  core: Core;
  gateway: RealtimeGateway;
  /** Old events' pruning (BMAD_OPS_RETENTION_DAYS); idle when retention is off. */
  retention: RetentionService;
  /** The consistency monitor (scheduled passes; `verify()` on demand). */
  consistency: ConsistencyMonitor;
  /** The status page's SLI sampler and service (samples every config.status.sampleIntervalMs). */
  status: StatusModule;
  /** Alert rules' evaluator and the dispatcher of their webhook and Slack messages (Settings → Alerts). */
  alerts: Alerts;
  /** The HTTP application, for tools that list its routes (the guard table test). */
  app: Express;
  url: string;
  port: number;
  bootstrapAdmin?: { email: string; password: string; generated: boolean };
  /** The demo workspace, when config.demo.enabled: its status says whether it seeded, resumed or stayed out. */
  demo?: DemoWorkspace;
  /** Directories document content may be read from: config `documents.roots`; the BMAD connector adds its projects. */
  documentRoots: DocumentRoots;
  /** Connected BMAD project folders (config `bmad.projects`), watched live. */
  bmad: BmadConnectors;
  /** The sample project (serve --sample): where it was made, and whether this start made it. */
  sample?: SampleResult;
  /** What the Claude Code transcripts on this machine gave the connected projects (when usage import is on). */
  claude?: ClaudeUsageReport & { costByProject: Awaited<ReturnType<typeof costsRepository.totalsByProjectVia>> };
  close(): Promise<void>;
}

export interface ServerDeps {
  clock?: Clock;
  logger?: Logger;
  /** Where spans go (a test's in-memory exporter); without it the OTEL_* variables decide (observability/tracing-sdk.ts). */
  spanExporter?: SpanExporter;
}

export async function startServer(config: Config, deps: ServerDeps = {}): Promise<RunningServer> {
  const logger = deps.logger ?? createLogger(config.logLevel);
  // Before anything else, so the start's own work (the first BMAD scans) is traced too.
  const tracing = await installTracing({ logger, ...(deps.spanExporter ? { exporter: deps.spanExporter } : {}) });
  try {
    const running = await serve(config, { ...deps, logger });
    if (!tracing) return running;
    const close = running.close;
    return Object.assign(running, { close: () => close().finally(() => tracing.shutdown()) });
  } catch (err) {
    await tracing?.shutdown();
    throw err;
  }
}

async function serve(config: Config, deps: { clock?: Clock; logger?: Logger }): Promise<RunningServer> {
  // Read before anything opens: a wrong certificate path stops the start without leaving a database open.
  const tlsOptions = config.tls ? readTls(config.tls) : undefined;
  const other = runningServerPid(config.dataDir);
  if (other !== undefined) throw new ConfigError(`invalid configuration:\n  data directory ${config.dataDir}: another BMAD Ops server (pid ${other}) is serving it`);
  const core = await createCore(config, deps);
  const releaseDataDir = lockDataDir(config.dataDir);
  const { db, clock, logger } = core;
  const bootstrapAdmin = await core.auth.ensureBootstrapAdmin(config.auth.adminEmail, config.auth.adminPassword);
  // Seeded before listening, so the first page a new user opens already shows the demo workspace.
  const demo = config.demo.enabled ? new DemoWorkspace(core, { ratePerSecond: config.demo.ratePerSecond }) : undefined;
  await demo?.start();
  const documentRoots = new DocumentRoots();
  for (const [rootId, dir] of Object.entries(config.documents.roots)) documentRoots.register(rootId, dir);
  const bmad = createBmadConnectors();
  const sample = config.bmad.sample ? await materializeSample(config.dataDir, clock.now()) : undefined;
  if (sample?.note) logger.warn({ dir: sample.dir }, `sample project: ${sample.note}`);
  for (const dir of [...(sample ? [sample.dir] : []), ...config.bmad.projects]) {
    const connector = createBmadConnector(dir, {
      ingest: (events) => core.ingestion.ingest(events),
      clock,
      logger,
      // The project's folder is its connector's: documents in it are served only when the connector registered them.
      onProjectKnown: (projectKey, root) => documentRoots.register(projectKey, root, CONNECTOR_SOURCE),
      onNewFinding: (kind) => core.metrics.consistencyFailures.inc({ kind }),
      history: { enabled: config.bmad.gitHistory, since: config.bmad.gitSince },
      stateStore: databaseStateStore(db, clock),
    });
    // Imported before listening (the first page already shows the project), then watched.
    await connector.start({ watch: true });
    if (!connector.snapshot) {
      await connector.stop();
      throw new ConfigError(`--bmad ${dir}: ${connector.lastError ?? 'not a BMAD project folder'}`);
    }
    bmad.add(connector);
  }
  // Claude Code usage of the connected projects' sessions: imported before listening (the first Costs page has it), then tailed.
  let claude: ClaudeUsageSource | undefined;
  let claudeReport: RunningServer['claude'];
  if (config.claude.usage && bmad.all.length > 0) {
    const dirs = [...config.claude.dirs];
    if (sample) dirs.unshift(await materializeSampleTranscripts(config.dataDir, sample.dir, clock.now()));
    const roots: BmadRoot[] = [];
    for (const c of bmad.all) {
      const snapshotOf = () => c.snapshot!;
      const root = (dir: string): BmadRoot => ({
        root: dir,
        projectKey: snapshotOf().projectKey,
        // Read at each use: a story created while the server runs can be named by the next session.
        get stories() {
          return snapshotOf().stories;
        },
      });
      roots.push(root(c.root));
      const real = await fs.promises.realpath(c.root).catch(() => c.root);
      if (real !== c.root) roots.push(root(real));
    }
    roots.sort((a, b) => b.root.length - a.root.length);
    claude = new ClaudeUsageSource(dirs, roots, (events) => core.ingestion.ingest(events), logger, () => clock.now().getTime());
    claudeReport = { ...(await claude.start()), costByProject: await costsRepository.totalsByProjectVia(db.read, 'transcript') };
    logger.info({ claude: claudeReport }, 'Claude Code usage imported');
  }
  const budgets = new BudgetsService(db, clock);
  const views = readViews(core, budgets);
  const monitor = createConsistencyMonitor(core, views);
  const otlp = new OtlpService(db, core.ingestion, core.metrics, clock, logger);
  otlp.start();
  const oidcConfig = oidcSettings(config.oidc);
  // Discovered in the background: a provider that is down delays neither the start nor password sign-in.
  const oidc = oidcConfig ? new OidcSignIn(oidcConfig, { db, auth: core.auth, clock, logger }) : undefined;
  oidc?.start();
  const sync = new SyncService(db, clock, { staleAfterIntervals: config.realtime.staleAfterIntervals });
  const status = createStatus({ db, clock, metrics: core.metrics, sync, publisher: core.publisher, logger, config: config.status });
  const alerts = createAlerts({ config, db, clock, logger, auth: core.auth, ingestion: core.ingestion, budgets, status: status.service });
  const app = createApp({
    config,
    logger,
    metrics: core.metrics,
    db,
    publisher: core.publisher,
    storage: core.storage,
    auth: core.auth,
    oidc,
    ingestion: core.ingestion,
    otlp,
    workflows: new WorkflowsService(db),
    projects: views.projects,
    flow: new FlowService(db, clock),
    stories: views.stories,
    changeStoryStatus: new ChangeStoryStatus(db, core.ingestion, core.auth, clock, () => config.kanbanEditable, bmad),
    sync,
    status: status.service,
    workspace: new WorkspaceService(db, { kanbanEditable: config.kanbanEditable }),
    directory: new DirectoryService(db),
    analytics: views.analytics,
    costs: views.costs,
    consistency: monitor,
    setProjectBudget: new SetProjectBudget(db, core.ingestion, core.auth, clock, budgets),
    alerts: alerts.services,
    documentRoots,
    backups: new BackupService(db.location, config.dataDir, core.auth, clock),
    startedAt: performance.now(),
  });
  const server = tlsOptions ? https.createServer(tlsOptions, app) : http.createServer(app);
  answerClientErrors(server);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const gateway = new RealtimeGateway({
    config,
    clock,
    db,
    auth: core.auth,
    publisher: core.publisher,
    snapshots: new SnapshotService(db, clock, { staleAfterIntervals: config.realtime.staleAfterIntervals }),
    metrics: core.metrics,
    logger,
  });
  await gateway.start(server);
  core.rollup.onUpdated((msg) => gateway.broadcast('agent', msg));
  core.publisher.subscribe(() => core.rollup.kick());
  core.rollup.start();
  const retention = new RetentionService(db, clock, config.retention, core.metrics, logger);
  retention.start();
  monitor.start();
  await status.start((msg) => gateway.broadcast('sync', msg));
  alerts.start();
  const pruner = setInterval(() => {
    core.auth.pruneExpiredSessions().catch((err: unknown) => logger.warn({ err }, 'session pruning failed'));
  }, 3600_000);
  pruner.unref();
  let closing: Promise<void> | undefined;
  return {
    core,
    gateway,
    retention,
    consistency: monitor,
    status,
    alerts,
    app,
    url: `${config.tls ? 'https' : 'http'}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    port,
    documentRoots,
    bmad,
    ...(bootstrapAdmin ? { bootstrapAdmin } : {}),
    ...(demo ? { demo } : {}),
    ...(sample ? { sample } : {}),
    ...(claudeReport ? { claude: claudeReport } : {}),
    close() {
      closing ??= (async () => {
        clearInterval(pruner);
        await retention.stop();
        await monitor.stop();
        await status.stop();
        await alerts.stop();
        oidc?.stop();
        await demo?.stop();
        await claude?.stop();
        otlp.stop();
        await bmad.stop();
        await core.rollup.stop();
        await gateway.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await core.close();
        releaseDataDir();
      })();
      return closing;
    },
  };
}

/** The PEM files, checked at start: a wrong path or a key that does not fit the certificate is a ConfigError naming it. */
function readTls(tls: NonNullable<Config['tls']>): https.ServerOptions {
  const read = (file: string, flag: string) => {
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw new ConfigError(`invalid configuration:\n  ${flag}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  };
  const options = { cert: read(tls.certFile, '--tls-cert / BMAD_OPS_TLS_CERT'), key: read(tls.keyFile, '--tls-key / BMAD_OPS_TLS_KEY') };
  try {
    tlsContext(options);
  } catch (err) {
    throw new ConfigError(`invalid configuration:\n  --tls-cert / --tls-key: ${tls.certFile} and ${tls.keyFile} are not a PEM certificate and its private key (${(err as Error).message})`);
  }
  return options;
}
