import type { z } from 'zod';
import type { healthSchema } from '../../../contracts/index.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { migrationStatus } from '../../db/migrator.js';
import type { StorageHealth } from '../../db/storage-health.js';
import type { EventPublisher } from '../events/index.js';

type Health = z.output<typeof healthSchema>;

/**
 * Liveness and readiness in one: ready when the database answers, migrations are current, the publisher runs and
 * writes reach the disk.
 */
export class HealthService {
  // Migrations are applied before the server listens and cannot change under it: once current, not recompiled per call.
  private migrationsCurrent: { ok: boolean; applied: number; expected: number } | undefined;

  constructor(
    private readonly db: DatabaseHandle,
    private readonly publisher: EventPublisher,
    private readonly storage: StorageHealth,
    private readonly startedAt: number,
  ) {}

  /** `detailed`: each check and why it fails (database error text, subscriber counts), for managers and metrics keys. */
  async check(detailed: boolean): Promise<{ ok: boolean; body: Health }> {
    let database: { ok: boolean; error?: string } = { ok: true };
    let migrations = this.migrationsCurrent ?? { ok: false, applied: 0, expected: 0 };
    try {
      await this.db.ping();
      if (!this.migrationsCurrent) {
        const m = await migrationStatus(this.db);
        migrations = { ok: m.current, applied: m.applied, expected: m.expected };
        if (m.current) this.migrationsCurrent = migrations;
      }
    } catch (err) {
      database = { ok: false, error: (err as Error).message };
    }
    const publisher = { ok: this.publisher.alive, subscribers: this.publisher.subscriberCount };
    // A full disk or failing I/O: the database still answers reads, but the server cannot take writes.
    const problem = this.storage.problem;
    const storage = problem ? { ok: false, ...problem } : { ok: true };
    const ok = database.ok && migrations.ok && publisher.ok && storage.ok;
    const status = ok ? 'ok' : 'unavailable';
    if (!detailed) return { ok, body: { status } };
    return { ok, body: { status, checks: { database, migrations, publisher, storage }, uptimeSec: Math.round((performance.now() - this.startedAt) / 1000) } };
  }
}
