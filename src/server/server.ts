import fs from 'node:fs';
import http from 'node:http';
import type { Express } from 'express';
import https from 'node:https';
import { createSecureContext as tlsContext } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { composeApp } from './compose-app.js';
import { type Clock } from './clock.js';
import { ConfigError, type Config } from './config.js';
import type { BmadConnectors } from './connector/bmad/index.js';
import { connectBmadProjects, importClaudeUsage, type ClaudeImportReport } from './source-connectors.js';
import { materializeSample, type SampleResult } from './sample/sample-project.js';
import { lockDataDir, runningServerPid } from './db/data-dir-lock.js';
import { answerClientErrors } from './http/client-error.js';
import { DemoWorkspace } from './demo/demo-workspace.js';
import { DocumentRoots } from './modules/documents/index.js';
import { costsRepository } from './modules/costs/index.js';
import { RetentionService } from './modules/events/index.js';
import type { ConsistencyMonitor } from './modules/consistency/index.js';
import type { StatusModule } from './modules/status/index.js';
import type { Alerts } from './modules/alerts/index.js';
import { RealtimeGateway } from './modules/realtime/index.js';
import { workflowsRepository } from './modules/workflows/index.js';
import { SnapshotService } from './modules/realtime/index.js';
import { createLogger, type Logger } from './observability/logger.js';
import { installTracing } from './observability/tracing-sdk.js';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import { createCore, type Core } from './core.js';
import { createBmadConnectors } from './connector/bmad/index.js';
import type { ServerMessage, Topic } from '../contracts/index.js';
import { scanBmadProject } from './connector/bmad/parse/index.js';
import { CONNECTOR_SOURCE } from './connector/bmad/to-events.js';
import path from 'node:path';
import { metaRepository } from './modules/meta/index.js';
import { newInstanceId, startCluster, WsPresence, type Cluster, type LeasedJob } from './modules/cluster/index.js';

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
  /** What the Claude Code transcripts on this machine gave the connected projects (when usage import is on and this instance imports). */
  readonly claude: ClaudeImportReport | undefined;
  /** The instances sharing this database: leases on the jobs that run once, and the bus. */
  cluster: Cluster;
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

function configuredRoots(config: Config): DocumentRoots {
  const roots = new DocumentRoots();
  for (const [rootId, dir] of Object.entries(config.documents.roots)) roots.register(rootId, dir);
  return roots;
}

async function serve(config: Config, deps: { clock?: Clock; logger?: Logger }): Promise<RunningServer> {
  // Read before anything opens: a wrong certificate path stops the start without leaving a database open.
  const tlsOptions = config.tls ? readTls(config.tls) : undefined;
  const other = runningServerPid(config.dataDir);
  if (other !== undefined)
    throw new ConfigError(`invalid configuration:\n  data directory ${config.dataDir}: another BMAD Ops server (pid ${other}) is serving it`);
  const core = await createCore(config, deps);
  const releaseDataDir = lockDataDir(config.dataDir);
  core.writer.warm(); // boots the writer's thread now, not with the first ingest
  const { db, clock, logger } = core;
  const cluster = await startCluster({ config, db, relay: core.relay, epoch: await metaRepository.epoch(db.read), clock, logger, instanceId: newInstanceId() });
  // On one SQLite process a job simply starts; instances sharing Postgres run it where they hold its lease.
  const runOnce = async (job: LeasedJob) => (cluster.leases ? cluster.leases.add(job) : job.start());
  const bootstrapAdmin = await core.auth.ensureBootstrapAdmin(config.auth.adminEmail, config.auth.adminPassword);
  // Seeded before listening, so the first page a new user opens already shows the demo workspace.
  const demo = config.demo.enabled ? new DemoWorkspace(core, { ratePerSecond: config.demo.ratePerSecond }) : undefined;
  if (demo) await runOnce({ name: 'demo', start: async () => void (await demo.start()), stop: () => demo.stop() });
  const documentRoots = configuredRoots(config);
  const sample = config.bmad.sample ? await materializeSample(config.dataDir, clock.now()) : undefined;
  if (sample?.note) logger.warn({ dir: sample.dir }, `sample project: ${sample.note}`);
  const bmad = createBmadConnectors();
  // Every instance serves the connected projects' documents, not only the one whose connector reads them.
  if (cluster.leases) await registerProjectRoots(config, sample, documentRoots, logger);
  let claude: Awaited<ReturnType<typeof importClaudeUsage>>;
  await runOnce({
    name: 'sources',
    async start() {
      await connectBmadProjects(config, core, documentRoots, sample, bmad);
      claude = await importClaudeUsage(config, core, bmad, sample);
    },
    async stop() {
      await claude?.source.stop();
      await bmad.stop();
    },
  });
  const { app, monitor, status, alerts, otlp, oidc } = composeApp(config, core, bmad, documentRoots);
  const server = await listen(config, app, tlsOptions);
  const port = (server.address() as AddressInfo).port;
  const presence = cluster.leases ? new WsPresence(db, cluster.instanceId, logger) : undefined;
  const gateway = await startRealtime(config, core, server, runOnce, presence, cluster);
  // A push made by a job runs on one instance; the bus takes it to every other instance's browsers.
  const everywhere = (topic: Topic, msg: ServerMessage) => {
    gateway.broadcast(topic, msg);
    cluster.bus?.push(topic, msg);
  };
  presence?.start(() => gateway.connectionsByPrincipal());
  const retention = new RetentionService(db, clock, config.retention, core.metrics, logger, [
    workflowsRepository.transitionEventIdsBetween,
    costsRepository.sourceEventIdsBetween,
  ]);
  await runOnce({ name: 'retention', start: () => retention.start(), stop: () => retention.stop() });
  await runOnce({ name: 'consistency', start: () => monitor.start(), stop: () => monitor.stop() });
  await runOnce({ name: 'status-sampler', start: () => status.start((msg) => everywhere('sync', msg)), stop: () => status.stop() });
  await runOnce({ name: 'alerts', start: () => alerts.start(), stop: () => alerts.stop() });
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
    get claude() {
      return claude?.report;
    },
    cluster,
    close() {
      closing ??= (async () => {
        clearInterval(pruner);
        // Leased jobs stop and hand their leases over first; on SQLite the stops below do it.
        await cluster.close();
        await presence?.stop();
        await retention.stop();
        await monitor.stop();
        await status.stop();
        await alerts.stop();
        oidc?.stop();
        await demo?.stop();
        await claude?.source.stop();
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

/** The document roots of the configured BMAD folders, known from a scan (an instance that does not run their connector). */
async function registerProjectRoots(config: Config, sample: SampleResult | undefined, roots: DocumentRoots, logger: Logger): Promise<void> {
  for (const dir of [...(sample ? [sample.dir] : []), ...config.bmad.projects]) {
    const snap = await scanBmadProject(dir).catch((err: unknown) => {
      logger.warn({ err, dir }, 'BMAD folder could not be scanned for its documents');
      return null;
    });
    if (snap) roots.register(snap.projectKey, path.resolve(dir), CONNECTOR_SOURCE);
  }
}

/** The HTTP(S) server over the application, listening on the configured address. */
async function listen(config: Config, app: Express, tlsOptions: https.ServerOptions | undefined): Promise<http.Server> {
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
  return server;
}

/** The WebSocket gateway on the server, and the agent rollup it pushes updates from. */
async function startRealtime(
  config: Config,
  core: Core,
  server: http.Server,
  runOnce: (job: LeasedJob) => Promise<void>,
  presence: WsPresence | undefined,
  cluster: Cluster,
): Promise<RealtimeGateway> {
  const { db, clock } = core;
  const gateway = new RealtimeGateway({
    config,
    clock,
    db,
    auth: core.auth,
    publisher: core.publisher,
    snapshots: new SnapshotService(db, clock, { staleAfterIntervals: config.realtime.staleAfterIntervals }),
    metrics: core.metrics,
    logger: core.logger,
    ...(presence ? { presence } : {}),
  });
  await gateway.start(server);
  cluster.bus?.onPush((topic, msg) => gateway.broadcast(topic, msg));
  core.rollup.onUpdated((msg) => {
    gateway.broadcast('agent', msg);
    cluster.bus?.push('agent', msg);
  });
  let unsubscribe: (() => void) | undefined;
  await runOnce({
    name: 'analytics-rollup',
    start() {
      unsubscribe = core.publisher.subscribe(() => core.rollup.kick());
      core.rollup.start();
    },
    async stop() {
      unsubscribe?.();
      await core.rollup.stop();
    },
  });
  return gateway;
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
    throw new ConfigError(
      `invalid configuration:\n  --tls-cert / --tls-key: ${tls.certFile} and ${tls.keyFile} are not a PEM certificate and its private key (${(err as Error).message})`,
    );
  }
  return options;
}
