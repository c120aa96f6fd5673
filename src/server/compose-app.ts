import type { Express } from 'express';
import { createApp } from './app.js';
import type { Config } from './config.js';
import type { BmadConnectors } from './connector/bmad/index.js';
import { createAlerts, type Alerts } from './modules/alerts/index.js';
import { oidcSettings } from './modules/auth/index.js';
import { OidcSignIn } from './modules/auth/index.js';
import { BackupService } from './modules/backup/index.js';
import type { ConsistencyMonitor } from './modules/consistency/index.js';
import { SetProjectBudget } from './modules/costs/index.js';
import { BudgetsService } from './modules/costs/index.js';
import { DirectoryService } from './modules/directory/index.js';
import type { DocumentRoots } from './modules/documents/index.js';
import { FlowService } from './modules/history/index.js';
import { WorkspaceService } from './modules/meta/index.js';
import { OtlpService } from './modules/otlp/index.js';
import { projectsRepository } from './modules/projects/index.js';
import { createStatus, type StatusModule } from './modules/status/index.js';
import { ChangeStoryStatus, storiesRepository } from './modules/stories/index.js';
import { SyncService } from './modules/sync/index.js';
import { WorkflowsService } from './modules/workflows/index.js';
import { createConsistencyMonitor, readViews, type Core } from './core.js';

/** The HTTP application and the services behind it that have a life of their own (started and stopped by the server). */
export interface ComposedApp {
  app: Express;
  monitor: ConsistencyMonitor;
  status: StatusModule;
  alerts: Alerts;
  otlp: OtlpService;
  oidc: OidcSignIn | undefined;
}

/** Builds every service the routes call and the Express application over them; starts OTLP and OIDC discovery. */
export function composeApp(config: Config, core: Core, bmad: BmadConnectors, documentRoots: DocumentRoots): ComposedApp {
  const { db, clock, logger } = core;
  const budgets = new BudgetsService(db, clock);
  const views = readViews(core, budgets);
  // The monitor checks what the tables say, so its views keep nothing in memory between passes.
  const monitor = createConsistencyMonitor(core, readViews(core, budgets, { cache: false }));
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
    workflows: new WorkflowsService(db, storiesRepository),
    projects: views.projects,
    flow: new FlowService(db, clock, storiesRepository),
    stories: views.stories,
    changeStoryStatus: new ChangeStoryStatus(db, core.ingestion, core.auth, clock, () => config.kanbanEditable, bmad),
    sync,
    status: status.service,
    workspace: new WorkspaceService(db, { kanbanEditable: config.kanbanEditable }),
    directory: new DirectoryService(db),
    analytics: views.analytics,
    costs: views.costs,
    consistency: monitor,
    setProjectBudget: new SetProjectBudget(db, core.ingestion, core.auth, clock, budgets, projectsRepository),
    alerts: alerts.services,
    documentRoots,
    backups: new BackupService(db.location, config.dataDir, core.auth, clock, db.dialect),
    startedAt: performance.now(),
  });
  return { app, monitor, status, alerts, otlp, oidc };
}
