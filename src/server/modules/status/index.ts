import type { StatusUpdatedMessage } from '../../../contracts/index.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { DatabaseHandle } from '../../db/handle.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { EventPublisher } from '../events/index.js';
import type { SyncService } from '../sync/index.js';
import { LastEventTimes } from './last-events.js';
import { SliSampler } from './sli-sampler.js';
import { StatusService } from './status.service.js';

export interface StatusModule {
  service: StatusService;
  sampler: SliSampler;
  /** Starts sampling; `push` gets each sample's notice for live pages. */
  start(push: (msg: StatusUpdatedMessage) => void): Promise<void>;
  stop(): Promise<void>;
}

/** The status page's server side: the SLI sampler, the last-event tracker it and the route share, and the service. */
export function createStatus(d: {
  db: DatabaseHandle;
  clock: Clock;
  metrics: Metrics;
  sync: SyncService;
  publisher: EventPublisher;
  logger: Logger;
  config: Config['status'];
}): StatusModule {
  const lastEvents = new LastEventTimes();
  const unsubscribe = d.publisher.subscribe((events) => lastEvents.noteEvents(events));
  const sampler = new SliSampler(
    { db: d.db, clock: d.clock, metrics: d.metrics, sync: d.sync, lastEvents, logger: d.logger },
    { intervalMs: d.config.sampleIntervalMs, retentionHours: d.config.retentionHours },
  );
  const service = new StatusService({
    db: d.db,
    clock: d.clock,
    metrics: d.metrics,
    sync: d.sync,
    lastEvents,
    sampleIntervalMs: d.config.sampleIntervalMs,
    serverStartedAt: d.clock.now(),
  });
  return {
    service,
    sampler,
    async start(push) {
      sampler.onSample((sampledAt) => push({ type: 'status_updated', sampledAt }));
      await sampler.start();
    },
    async stop() {
      unsubscribe();
      await sampler.stop();
    },
  };
}
export { statusRoutes } from './status.routes.js';
export type { StatusService } from './status.service.js';
