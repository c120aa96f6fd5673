import type { Clock } from '../../clock.js';
import type { ConnectorStateStore } from '../../connector/bmad/history/project-history.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { withWriteTransaction } from '../../db/write-transaction.js';
import { connectorStateRepository } from './connector-state.repository.js';

/** The connectors' state in the server's own database, so a restart reads only commits it has not seen. */
export function databaseStateStore(db: DatabaseHandle, clock: Clock): ConnectorStateStore {
  return {
    load: (key) => connectorStateRepository.load(db.read, key),
    save: (key, value) =>
      withWriteTransaction(db, { maxRetries: 30, retryDelayMs: 25 }, (trx) => connectorStateRepository.save(trx, key, value, clock.now().toISOString())),
  };
}
