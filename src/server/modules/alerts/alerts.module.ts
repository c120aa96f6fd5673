import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { DatabaseHandle } from '../../db/handle.js';
import type { Logger } from '../../observability/logger.js';
import type { AuthService } from '../auth/index.js';
import type { BudgetsService } from '../costs/index.js';
import type { IngestionService } from '../events/index.js';
import type { StatusService } from '../status/index.js';
import { AlertConfigCommand } from './alert-config.command.js';
import { AlertConfigService } from './alert-config.service.js';
import type { AlertsServices } from './alerts.routes.js';
import { AlertDispatcher, type Post } from './delivery/alert-dispatcher.js';
import { AlertEvaluator } from './evaluator/alert-evaluator.js';
import { NotificationsService } from './notifications.service.js';

export interface Alerts {
  evaluator: AlertEvaluator;
  dispatcher: AlertDispatcher;
  services: AlertsServices;
  start(): void;
  stop(): Promise<void>;
}

/** The alerts module wired: the routes' services, the evaluator job and the dispatcher it hands messages to. */
export function createAlerts(d: {
  config: Config;
  db: DatabaseHandle;
  clock: Clock;
  logger: Logger;
  auth: AuthService;
  ingestion: IngestionService;
  budgets: BudgetsService;
  /** The status page's service (its SLIs feed the server-wide rules). */
  status: StatusService;
  /** Tests may post elsewhere than the network; the server uses fetch. */
  post?: Post;
}): Alerts {
  const a = d.config.alerts;
  const dispatcher = new AlertDispatcher(
    d.db,
    d.clock,
    d.logger,
    { timeoutMs: a.timeoutMs, maxAttempts: a.maxAttempts, retryBaseMs: a.retryBaseMs, retryMaxMs: a.retryMaxMs, deliveryLogSize: a.deliveryLogSize },
    d.post,
  );
  const evaluator = new AlertEvaluator({
    db: d.db,
    clock: d.clock,
    logger: d.logger,
    ingestion: d.ingestion,
    dispatcher,
    budgets: d.budgets,
    status: d.status,
    opts: { intervalMs: a.evaluateIntervalMs, maxFiringsPerRule: a.maxFiringsPerRule, staleAfterIntervals: d.config.realtime.staleAfterIntervals },
  });
  const services: AlertsServices = {
    config: new AlertConfigService(d.db),
    command: new AlertConfigCommand(d.db, d.ingestion, d.auth, d.clock, dispatcher, () => evaluator.kick()),
    notifications: new NotificationsService(d.db, d.clock),
  };
  return {
    evaluator,
    dispatcher,
    services,
    start: () => evaluator.start(),
    async stop() {
      await evaluator.stop();
      await dispatcher.stop();
    },
  };
}
