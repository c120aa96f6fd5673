import { Router } from 'express';
import type { DatabaseHandle } from '../../db/handle.js';
import { migrationStatus } from '../../db/migrator.js';
import { route } from '../../http/route.js';
import type { EventPublisher } from '../events/event-publisher.js';

/** Liveness and readiness in one: 200 when the database answers, migrations are current and the publisher runs. */
export function healthRoutes(db: DatabaseHandle, publisher: EventPublisher, startedAt: number): Router {
  const r = Router();
  r.get(
    '/health',
    route({}, async ({ res }) => {
      let database: { ok: boolean; error?: string } = { ok: true };
      let migrations = { ok: false, applied: 0, expected: 0 };
      try {
        await db.ping();
        const m = await migrationStatus(db);
        migrations = { ok: m.current, applied: m.applied, expected: m.expected };
      } catch (err) {
        database = { ok: false, error: (err as Error).message };
      }
      const publisherCheck = { ok: publisher.alive, subscribers: publisher.subscriberCount };
      const ok = database.ok && migrations.ok && publisherCheck.ok;
      res.status(ok ? 200 : 503).set('Cache-Control', 'no-store');
      return {
        status: ok ? 'ok' : 'unavailable',
        checks: { database, migrations, publisher: publisherCheck },
        uptimeSec: Math.round((performance.now() - startedAt) / 1000),
      };
    }),
  );
  return r;
}
