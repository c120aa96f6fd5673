import fs from 'node:fs';
import { Router } from 'express';
import { HttpError } from '../../http/errors.js';
import { create as contentDisposition } from 'content-disposition';
import { API } from '../../../contracts/index.js';
import { mount } from '../../http/mount.js';
import { BackupBusyError, BackupUnsupportedError, type BackupService } from './backup.service.js';

/** GET /admin/backup: a consistent, verified copy of the database, streamed to a manager and then deleted. */
export function backupRoutes(backups: BackupService): Router {
  const r = Router();
  mount(r, API.admin.backup, async ({ req, res, principal }) => {
    let made;
    try {
      made = await backups.create({ userId: principal?.kind === 'user' ? principal.userId : '', ip: req.ip ?? null });
    } catch (err) {
      if (err instanceof BackupBusyError) throw new HttpError(409, 'backup_in_progress', err.message, undefined, { 'Retry-After': '10' });
      if (err instanceof BackupUnsupportedError) throw new HttpError(409, 'backup_unsupported', err.message);
      throw err;
    }
    res.set({
      'Content-Type': 'application/vnd.sqlite3',
      'Content-Length': String(made.bytes),
      'Content-Disposition': contentDisposition(made.downloadName),
      'Cache-Control': 'no-store',
      'X-Backup-Events': String(made.events),
      'X-Backup-Head-Event-Id': String(made.headEventId),
    });
    const stream = fs.createReadStream(made.file);
    const cleanUp = () => fs.rm(made.file, { force: true }, () => undefined);
    stream.once('close', cleanUp);
    res.once('close', () => stream.destroy());
    stream.pipe(res);
    return undefined;
  });
  return r;
}
