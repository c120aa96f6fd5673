import type { Topic } from '../../../contracts/index.js';
import type { Clock } from '../../clock.js';
import type { DatabaseHandle, Executor } from '../../db/handle.js';
import { agentsRepository } from '../agents/index.js';
import { costsRepository } from '../costs/index.js';
import { documentsRepository } from '../documents/index.js';
import { eventsRepository } from '../events/index.js';
import { projectsRepository } from '../projects/index.js';
import { storiesRepository } from '../stories/index.js';
import { syncRepository } from '../sync/index.js';
import { summarise, type StalenessOptions } from '../sync/index.js';
import { workflowsRepository } from '../workflows/index.js';

/** Rows per module in a snapshot; a client needing more pages reads them over REST. */
export const SNAPSHOT_LIMIT = 500;

export interface Snapshots {
  version: number;
  generatedAt: string;
  data: Partial<Record<Topic, unknown>>;
}

/**
 * Builds the state of several modules in one read transaction, together with the event sequence it is consistent
 * with, so live events after `version` can be applied on top without a gap or a double count.
 */
export class SnapshotService {
  constructor(
    private readonly db: DatabaseHandle,
    private readonly clock: Clock,
    private readonly staleness: StalenessOptions,
  ) {}

  async take(topics: readonly Topic[]): Promise<Snapshots> {
    return this.db.read.transaction().execute(async (trx) => {
      const version = await eventsRepository.headEventId(trx);
      const now = this.clock.now();
      const data: Partial<Record<Topic, unknown>> = {};
      for (const topic of topics) data[topic] = await this.module(trx, topic, now);
      return { version, generatedAt: now.toISOString(), data };
    });
  }

  private async module(db: Executor, topic: Topic, now: Date): Promise<unknown> {
    switch (topic) {
      case 'workflow':
        return workflowsRepository.list(db, {}, 1, SNAPSHOT_LIMIT, storiesRepository);
      case 'project':
        return projectsRepository.list(db, {}, 1, SNAPSHOT_LIMIT, now.toISOString());
      case 'story':
        return storiesRepository.list(db, {}, 1, SNAPSHOT_LIMIT);
      case 'agent':
        return { items: await agentsRepository.list(db) };
      case 'cost':
        return { items: await costsRepository.recent(db, SNAPSHOT_LIMIT) };
      case 'sync':
        return { modules: summarise(await syncRepository.all(db), now, this.staleness) };
      case 'document':
        return { items: await documentsRepository.recent(db, SNAPSHOT_LIMIT) };
    }
  }
}
