import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../../clock.js';
import { backupSqlite, type BackupSummary } from '../../db/sqlite-backup.js';
import type { AuthService } from '../auth/index.js';

export class BackupBusyError extends Error {
  constructor() {
    super('a backup is already being made; try again when it is done');
    this.name = 'BackupBusyError';
  }
}

/** The database is PostgreSQL: its backups are Postgres's own. */
export class BackupUnsupportedError extends Error {
  constructor() {
    super('this installation stores its data in PostgreSQL: back it up with pg_dump (or continuous archiving), not here');
    this.name = 'BackupUnsupportedError';
  }
}

/**
 * Backups made by the server for a manager's download: one at a time (each is a full copy on disk), written in the
 * data directory's private `backups/` folder — same filesystem, same permissions — and deleted once sent.
 */
export class BackupService {
  private running = false;

  constructor(
    private readonly databaseFile: string,
    private readonly dataDir: string,
    private readonly auth: AuthService,
    private readonly clock: Clock,
    private readonly dialect: 'sqlite' | 'postgres' = 'sqlite',
  ) {}

  async create(actor: { userId: string; ip: string | null }): Promise<BackupSummary & { downloadName: string }> {
    if (this.dialect !== 'sqlite') throw new BackupUnsupportedError();
    if (this.running) throw new BackupBusyError();
    this.running = true;
    try {
      const dir = path.join(path.resolve(this.dataDir), 'backups');
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const stamp = this.clock.now().toISOString().replace(/[:.]/g, '-');
      const summary = await backupSqlite(this.databaseFile, path.join(dir, `.download-${stamp}-${randomBytes(4).toString('hex')}.sqlite`));
      await this.auth.audit({
        actorType: 'user',
        actorId: actor.userId,
        action: 'admin.backup',
        outcome: 'success',
        ip: actor.ip,
        details: { bytes: summary.bytes, events: summary.events, headEventId: summary.headEventId },
      });
      return { ...summary, downloadName: `bmad-ops-backup-${stamp}.sqlite` };
    } finally {
      this.running = false;
    }
  }
}
