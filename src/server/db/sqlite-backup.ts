import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';

/** "The rest in one step" for the backup API's progress callback (SQLite's own -1 is not accepted there). */
const ALL_PAGES = 1 << 30;

export interface BackupSummary {
  file: string;
  bytes: number;
  /** Events in the copy and the highest event id: what a restore brings back. */
  events: number;
  headEventId: number;
  schemaVersion: number;
  epoch: string;
  durationMs: number;
}

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

interface Inspection {
  ok: boolean;
  problem?: string;
  events: number;
  headEventId: number;
  schemaVersion: number;
  epoch: string;
}

/** Opens a copy read-only and checks it is a whole BMAD Ops database: integrity, schema, epoch. */
export function inspectDatabase(file: string): Inspection {
  let db: SqliteDatabase.Database;
  try {
    db = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    return { ok: false, problem: `cannot open ${file}: ${(err as Error).message}`, events: 0, headEventId: 0, schemaVersion: 0, epoch: '' };
  }
  try {
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
    if (integrity !== 'ok')
      return { ok: false, problem: `integrity_check failed: ${integrity.slice(0, 500)}`, events: 0, headEventId: 0, schemaVersion: 0, epoch: '' };
    const tables = new Set((db.prepare(`select name from sqlite_master where type = 'table'`).all() as { name: string }[]).map((r) => r.name));
    if (!tables.has('domain_events') || !tables.has('meta') || !tables.has('schema_migrations')) {
      return {
        ok: false,
        problem: `${file} is not a BMAD Ops database (no domain_events, meta or schema_migrations table)`,
        events: 0,
        headEventId: 0,
        schemaVersion: 0,
        epoch: '',
      };
    }
    const ev = db.prepare('select count(*) as n, coalesce(max(id), 0) as head from domain_events').get() as { n: number; head: number };
    const version = db.prepare('select coalesce(max(version), 0) as v from schema_migrations').get() as { v: number };
    const epoch = db.prepare(`select value from meta where key = 'epoch'`).get() as { value: string } | undefined;
    return { ok: true, events: ev.n, headEventId: ev.head, schemaVersion: version.v, epoch: epoch?.value ?? '' };
  } catch (err) {
    return { ok: false, problem: `${file} could not be read: ${(err as Error).message}`, events: 0, headEventId: 0, schemaVersion: 0, epoch: '' };
  } finally {
    db.close();
  }
}

/**
 * A consistent copy of a live database with SQLite's online backup API. The API restarts its pass whenever another
 * connection writes between two steps, so under steady ingestion a copy made in small steps would never finish: after
 * the library's first 100 pages, every step copies everything left, inside one read transaction (WAL writers carry on
 * meanwhile). The copy is one committed state, never a torn one. It is written beside `dest`, checked with
 * integrity_check, made private (0600), then renamed into place, so `dest` only ever appears whole.
 */
export async function backupSqlite(sourceFile: string, dest: string, opts: { overwrite?: boolean } = {}): Promise<BackupSummary> {
  const started = performance.now();
  const target = path.resolve(dest);
  if (!opts.overwrite && fs.existsSync(target)) throw new BackupError(`${target} already exists; choose another file or remove it first`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.partial-${randomBytes(4).toString('hex')}`;
  let source: SqliteDatabase.Database;
  try {
    source = new SqliteDatabase(sourceFile, { fileMustExist: true });
  } catch (err) {
    throw new BackupError(`cannot open the database ${sourceFile}: ${(err as Error).message}`);
  }
  try {
    source.pragma('busy_timeout = 5000');
    await source.backup(partial, { progress: () => ALL_PAGES });
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw new BackupError(`the backup to ${target} failed: ${(err as Error).message}`);
  } finally {
    source.close();
  }
  selfContained(partial);
  fs.chmodSync(partial, 0o600);
  const check = inspectDatabase(partial);
  if (!check.ok) {
    fs.rmSync(partial, { force: true });
    throw new BackupError(`the copy did not verify: ${check.problem ?? 'unknown problem'}`);
  }
  fs.renameSync(partial, target);
  return {
    file: target,
    bytes: fs.statSync(target).size,
    events: check.events,
    headEventId: check.headEventId,
    schemaVersion: check.schemaVersion,
    epoch: check.epoch,
    durationMs: Math.round(performance.now() - started),
  };
}

/** The copy inherits WAL mode from its source: switched back to a rollback journal, it is one file with no -wal/-shm. */
function selfContained(file: string): void {
  const db = new SqliteDatabase(file);
  try {
    db.pragma('journal_mode = DELETE');
  } finally {
    db.close();
  }
}

export interface RestoreSummary {
  file: string;
  /** Where the database that was there before now lies, if there was one. */
  previous: string | null;
  events: number;
  headEventId: number;
  /** The new epoch: every browser that saw the old sequence resyncs by snapshot, never by a replay. */
  epoch: string;
}

/**
 * Puts a verified backup in place of `databaseFile` (the server must be stopped). The database that was there is kept
 * beside it, renamed, with its WAL; the restored copy gets a fresh epoch, because its event ids may now be re-used by
 * new events that differ from the ones a browser already saw under the same numbers.
 */
export async function restoreSqlite(backupFile: string, databaseFile: string, opts: { knownSchemaVersion: number; now: Date }): Promise<RestoreSummary> {
  const check = inspectDatabase(path.resolve(backupFile));
  if (!check.ok) throw new BackupError(check.problem ?? `${backupFile} is not a usable backup`);
  if (check.schemaVersion > opts.knownSchemaVersion) {
    throw new BackupError(
      `${backupFile} was made by a newer BMAD Ops (schema ${check.schemaVersion}, this one knows ${opts.knownSchemaVersion}); upgrade first`,
    );
  }
  fs.mkdirSync(path.dirname(databaseFile), { recursive: true, mode: 0o700 });
  const stamp = opts.now.toISOString().replace(/[:.]/g, '-');
  let previous: string | null = null;
  if (fs.existsSync(databaseFile)) {
    previous = `${databaseFile}.before-restore-${stamp}`;
    for (const suffix of ['', '-wal', '-shm']) if (fs.existsSync(databaseFile + suffix)) fs.renameSync(databaseFile + suffix, previous + suffix);
  }
  const partial = `${databaseFile}.restoring-${randomBytes(4).toString('hex')}`;
  const source = new SqliteDatabase(path.resolve(backupFile), { readonly: true, fileMustExist: true });
  try {
    await source.backup(partial);
  } finally {
    source.close();
  }
  const epoch = randomUUID();
  const db = new SqliteDatabase(partial);
  try {
    db.pragma('journal_mode = DELETE');
    db.prepare(`insert into meta (key, value) values ('epoch', ?) on conflict (key) do update set value = excluded.value`).run(epoch);
    db.prepare(`insert into meta (key, value) values ('restored_at', ?) on conflict (key) do update set value = excluded.value`).run(opts.now.toISOString());
  } finally {
    db.close();
  }
  fs.chmodSync(partial, 0o600);
  fs.renameSync(partial, databaseFile);
  return { file: databaseFile, previous, events: check.events, headEventId: check.headEventId, epoch };
}
