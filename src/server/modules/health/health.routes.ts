import { Router } from 'express';
import type { DatabaseHandle } from '../../db/handle.js';
import type { StorageHealth } from '../../db/storage-health.js';
import { migrationStatus } from '../../db/migrator.js';
import { route } from '../../http/route.js';
import { denialReason, type Principal } from '../auth/principal.js';
import type { EventPublisher } from '../events/event-publisher.js';

/**
 * Liveness and readiness in one: 200 when the database answers, migrations are current, the publisher runs and writes
 * reach the disk.
 * Anyone may ask whether the server is up; only a manager or a key with the metrics scope sees why it is not (database
 * error text and subscriber counts are no business of an anonymous caller).
 */
export function healthRoutes(db: DatabaseHandle, publisher: EventPublisher, storage: StorageHealth, startedAt: number): Router {
  const r = Router();
  // Migrations are applied before the server listens and cannot change under it: once current, not recompiled per call.
  let migrationsCurrent: { ok: boolean; applied: number; expected: number } | undefined;
  r.get(
    '/health',
    route({}, async ({ res }) => {
      let database: { ok: boolean; error?: string } = { ok: true };
      let migrations = migrationsCurrent ?? { ok: false, applied: 0, expected: 0 };
      try {
        await db.ping();
        if (!migrationsCurrent) {
          const m = await migrationStatus(db);
          migrations = { ok: m.current, applied: m.applied, expected: m.expected };
          if (m.current) migrationsCurrent = migrations;
        }
      } catch (err) {
        database = { ok: false, error: (err as Error).message };
      }
      const publisherCheck = { ok: publisher.alive, subscribers: publisher.subscriberCount };
      // A full disk or failing I/O: the database still answers reads, but the server cannot take writes.
      const problem = storage.problem;
      const storageCheck = problem ? { ok: false, ...problem } : { ok: true };
      const ok = database.ok && migrations.ok && publisherCheck.ok && storageCheck.ok;
      res.status(ok ? 200 : 503).set('Cache-Control', 'no-store');
      const principal = res.locals.principal as Principal | undefined;
      if (!principal || denialReason(principal, 'metrics') !== null) return { status: ok ? 'ok' : 'unavailable' };
      return {
        status: ok ? 'ok' : 'unavailable',
        checks: { database, migrations, publisher: publisherCheck, storage: storageCheck },
        uptimeSec: Math.round((performance.now() - startedAt) / 1000),
      };
    }),
  );
  return r;
}
