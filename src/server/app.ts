import { randomUUID } from 'node:crypto';
import cookieParser from 'cookie-parser';
import { SharedRateLimitStore } from './modules/cluster/index.js';
import express, { type Express, type RequestHandler, type Router } from 'express';
import helmet, { strictTransportSecurity } from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Config } from './config.js';
import { apiNotFound, errorHandler } from './http/error-handler.js';
import { sameOriginWrites } from './http/same-origin.js';
import { staticApp } from './http/static-app.js';
import type { Logger } from './observability/logger.js';
import type { Metrics } from './observability/metrics.js';
import { traceRequests } from './observability/http-tracing.js';
import { AccountsService } from './modules/admin/index.js';
import { adminRoutes } from './modules/admin/index.js';
import { backupRoutes } from './modules/backup/index.js';
import { consistencyRoutes } from './modules/consistency/index.js';
import { alertsRoutes, type AlertsServices } from './modules/alerts/index.js';
import type { ConsistencyMonitor } from './modules/consistency/index.js';
import type { BackupService } from './modules/backup/index.js';
import { AuditService } from './modules/admin/index.js';
import { KeysService } from './modules/admin/index.js';
import { authenticate } from './modules/auth/index.js';
import { API } from '../contracts/index.js';
import { mountRaw } from './http/mount.js';
import { openApiRoutes } from './modules/meta/index.js';
import { authRoutes } from './modules/auth/index.js';
import { OIDC_CALLBACK_PATH } from './modules/auth/index.js';
import { oidcRoutes } from './modules/auth/index.js';
import type { OidcSignIn } from './modules/auth/index.js';
import type { SetProjectBudget } from './modules/costs/index.js';
import { budgetsRoutes } from './modules/costs/index.js';
import { analyticsRoutes } from './modules/analytics/index.js';
import type { AnalyticsService } from './modules/analytics/index.js';
import { costsRoutes } from './modules/costs/index.js';
import type { CostsService } from './modules/costs/index.js';
import { directoryRoutes } from './modules/directory/index.js';
import type { DirectoryService } from './modules/directory/index.js';
import type { DocumentRoots } from './modules/documents/index.js';
import { documentsRoutes } from './modules/documents/index.js';
import { DocumentsService } from './modules/documents/index.js';
import type { AuthService } from './modules/auth/index.js';
import type { EventPublisher } from './modules/events/index.js';
import { ingestionRoutes } from './modules/events/index.js';
import type { IngestionService } from './modules/events/index.js';
import { healthRoutes } from './modules/health/index.js';
import { HealthService } from './modules/health/index.js';
import { metaRoutes } from './modules/meta/index.js';
import type { WorkspaceService } from './modules/meta/index.js';
import { projectsRoutes } from './modules/projects/index.js';
import type { ProjectsService } from './modules/projects/index.js';
import { flowRoutes } from './modules/history/index.js';
import type { FlowService } from './modules/history/index.js';
import type { StoriesService } from './modules/stories/index.js';
import type { ChangeStoryStatus } from './modules/stories/index.js';
import { storiesRoutes } from './modules/stories/index.js';
import { syncRoutes } from './modules/sync/index.js';
import { statusRoutes } from './modules/status/index.js';
import type { StatusService } from './modules/status/index.js';
import type { SyncService } from './modules/sync/index.js';
import { workflowsRoutes } from './modules/workflows/index.js';
import type { WorkflowsService } from './modules/workflows/index.js';
import { otlpRoutes } from './modules/otlp/index.js';
import type { OtlpService } from './modules/otlp/index.js';
import type { DatabaseHandle } from './db/handle.js';
import type { StorageHealth } from './db/storage-health.js';

export interface AppDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  db: DatabaseHandle;
  publisher: EventPublisher;
  /** Whether writes reach the disk: readiness fails while they do not. */
  storage: StorageHealth;
  auth: AuthService;
  /** Sign-in with an OpenID Connect provider; undefined when none is configured. */
  oidc?: OidcSignIn;
  ingestion: IngestionService;
  /** The OTLP/HTTP receiver for Claude Code's telemetry (/v1/metrics, /v1/logs). */
  otlp: OtlpService;
  workflows: WorkflowsService;
  projects: ProjectsService;
  flow: FlowService;
  stories: StoriesService;
  changeStoryStatus: ChangeStoryStatus;
  sync: SyncService;
  /** The status page: SLIs, objectives and their states (GET /status). */
  status: StatusService;
  workspace: WorkspaceService;
  directory: DirectoryService;
  costs: CostsService;
  analytics: AnalyticsService;
  setProjectBudget: SetProjectBudget;
  /** Where document content may be read from (config roots and connected BMAD projects). */
  documentRoots: DocumentRoots;
  /** Rebuilds the read models from the log and compares (GET /consistency/runs, POST /consistency/verify). */
  consistency: ConsistencyMonitor;
  /** Alert rules and channels (managers) and the in-app notifications (everyone signed in). */
  alerts: AlertsServices;
  /** Consistent copies of the database for a manager's download (GET /admin/backup). */
  backups: BackupService;
  startedAt: number;
}

const ID_HEADER = /^[A-Za-z0-9._:-]{1,128}$/;

/** HTTP composition only: which middleware and routers, in which order. Logic lives in the services. */
export function createApp(d: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', d.config.trustProxy);
  app.set('query parser', 'simple');
  useObservabilityAndHeaders(app, d);
  app.use(cookieParser());
  app.use('/api/v1', apiRouter(d));
  useRootRoutes(app, d);
  app.use(staticApp());
  app.use(apiNotFound);
  app.use(errorHandler(d.logger));
  return app;
}

/** In this order: tracing, security headers (HSTS over HTTPS only), the request log, the request metrics. */
function useObservabilityAndHeaders(app: Express, d: AppDeps): void {
  // First, so that everything after it (the request log line included) runs inside the request's span.
  app.use(traceRequests());

  // HSTS only on responses the browser got over HTTPS (our own TLS, or a trusted proxy's): a plain-HTTP laptop or LAN
  // setup must never be told to insist on HTTPS, nor have its requests upgraded.
  app.use(helmet({ strictTransportSecurity: false, contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  const hsts = strictTransportSecurity({ maxAge: 365 * 86_400, includeSubDomains: false });
  app.use((req, res, next) => (req.secure ? hsts(req, res, next) : next()));
  app.use(requestLog(d.logger));
  app.use(requestMetrics(d.metrics));
}

/** One log line per request, with its id (X-Request-Id, given or made) and correlation id; secrets in URLs left out. */
function requestLog(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && ID_HEADER.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customProps: (req) => {
      const c = req.headers['x-correlation-id'];
      return typeof c === 'string' && ID_HEADER.test(c) ? { correlationId: c } : {};
    },
    autoLogging: { ignore: (req) => req.url === '/api/v1/health' },
    serializers: {
      // The OIDC callback's query holds an authorization code and state: they stay out of the logs.
      req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url.startsWith(OIDC_CALLBACK_PATH) ? OIDC_CALLBACK_PATH : req.url,
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
}

/** Echoes a valid X-Correlation-Id and times each request by its matched route. */
function requestMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const c = req.get('x-correlation-id');
    if (c && ID_HEADER.test(c)) res.setHeader('X-Correlation-Id', c);
    res.on('finish', () => {
      const routePath = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      metrics.apiRequestDuration.observe({ route: routePath, method: req.method, status: String(res.statusCode) }, performance.now() - started);
    });
    next();
  };
}

/** /api/v1, in this order: authenticate, same-origin writes, health, ingestion (its own body parser), the JSON body, the rest. */
function apiRouter(d: AppDeps): Router {
  const api = express.Router();
  api.use(authenticate(d.auth));
  api.use(sameOriginWrites);
  api.use(healthRoutes(new HealthService(d.db, d.publisher, d.storage, d.startedAt)));
  // Ingestion parses its own, larger body (1 MiB); every other route gets a small one.
  api.use(
    ingestionRoutes(d.ingestion, {
      rateLimitPerSecond: d.config.ingest.rateLimitPerSecond,
      onLimited: () => d.metrics.ingestOverloaded.inc({ reason: 'rate_limit' }),
    }),
  );
  api.use(express.json({ limit: '64kb', strict: true }));
  // Instances sharing Postgres count sign-in attempts there, so spreading them over the instances gains nothing.
  const stores = d.db.dialect === 'postgres' ? (prefix: string) => new SharedRateLimitStore(d.db, prefix) : undefined;
  api.use(authRoutes(d.auth, { loginAttemptsPerMinute: d.config.auth.loginAttemptsPerMinute, ...(stores ? { stores } : {}) }));
  api.use(oidcRoutes(d.oidc));
  api.use(backupRoutes(d.backups));
  api.use(adminRoutes({ accounts: new AccountsService(d.db, d.auth), keys: new KeysService(d.db, d.auth), audit: new AuditService(d.db) }));
  // Each alerts route carries its own guard (manager, or a signed-in person for notifications).
  api.use(alertsRoutes(d.alerts));
  api.use(openApiRoutes());
  api.use(catalogueRouter(d));
  api.use(apiNotFound);
  return api;
}

/** Every route here carries the guard its catalogue entry declares (src/contracts/api-catalogue). */
function catalogueRouter(d: AppDeps): Router {
  const read = express.Router();
  read.use(metaRoutes(d.workspace));
  read.use(directoryRoutes(d.directory));
  read.use(workflowsRoutes(d.workflows));
  read.use(projectsRoutes(d.projects));
  read.use(flowRoutes(d.flow));
  read.use(storiesRoutes(d.stories, d.changeStoryStatus));
  read.use(syncRoutes(d.sync));
  read.use(statusRoutes(d.status));
  read.use(costsRoutes(d.costs));
  read.use(analyticsRoutes(d.analytics));
  read.use(consistencyRoutes(d.consistency));
  read.use(budgetsRoutes(d.setProjectBudget));
  read.use(documentsRoutes(new DocumentsService(d.db, d.documentRoots, d.logger, { maxInlineBytes: d.config.documents.maxInlineBytes })));
  return read;
}

/** The routes outside /api/v1: the OTLP receiver and the Prometheus metrics. */
function useRootRoutes(app: Express, d: AppDeps): void {
  // OTLP/HTTP's standard paths, at the root like any collector's (OTEL_EXPORTER_OTLP_ENDPOINT is the server's URL).
  app.use(
    otlpRoutes(d.otlp, d.auth, d.logger, {
      rateLimitPerSecond: d.config.ingest.rateLimitPerSecond,
      onLimited: () => d.metrics.ingestOverloaded.inc({ reason: 'rate_limit' }),
    }),
  );
  const root = express.Router();
  root.use(API.ops.metrics.path, authenticate(d.auth));
  mountRaw(root, API.ops.metrics, async (_req, res, next) => {
    try {
      res.set('Content-Type', d.metrics.registry.contentType).send(await d.metrics.registry.metrics());
    } catch (err) {
      next(err);
    }
  });
  app.use(root);
}
