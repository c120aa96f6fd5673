import type { Command } from 'commander';
import { databaseFile } from '../config.js';
import { runningServerPid } from '../db/data-dir-lock.js';
import { MIGRATIONS } from '../db/migrations/index.js';
import { backupSqlite, BackupError, restoreSqlite } from '../db/sqlite-backup.js';
import { commandConfigFrom, dataDirOption } from './options.js';

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

async function reportErrors(command: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof BackupError)) throw err;
    process.stderr.write(`bmad-ops: ${command}: ${err.message}\n`);
    process.exitCode = 1;
  }
}

export function registerBackupCommands(cli: Command): void {
  cli
    .command('backup')
    .description('copy the database while the server runs (consistent, verified with integrity_check)')
    .requiredOption('--to <file>', 'where to write the copy (refused if it exists, unless --force)')
    .option('--force', 'overwrite the file if it exists')
    .addOption(dataDirOption())
    .action(async (o: { to: string; force?: boolean; dataDir?: string }) =>
      reportErrors('backup', async () => {
        const config = commandConfigFrom(o.dataDir ? { dataDir: o.dataDir } : {});
        if (config.database.url)
          throw new BackupError('BMAD_OPS_DATABASE_URL is set: a PostgreSQL installation is backed up with pg_dump, not with bmad-ops backup');
        const source = databaseFile(config);
        const b = await backupSqlite(source, o.to, { overwrite: o.force === true });
        process.stdout.write(
          `backed up ${source} to ${b.file}: ${mib(b.bytes)}, ${b.events.toLocaleString('en-US')} events (up to #${b.headEventId}), schema ${b.schemaVersion}, integrity ok, ${b.durationMs} ms\n`,
        );
      }),
    );

  cli
    .command('restore')
    .description("replace a stopped server's database with a backup; browsers resync from scratch (new epoch)")
    .argument('<file>', 'a file written by `bmad-ops backup` or GET /api/v1/admin/backup')
    .addOption(dataDirOption())
    .action(async (file: string, o: { dataDir?: string }) =>
      reportErrors('restore', async () => {
        const config = commandConfigFrom(o.dataDir ? { dataDir: o.dataDir } : {});
        const pid = runningServerPid(config.dataDir);
        if (pid !== undefined) throw new BackupError(`a server (pid ${pid}) is using ${config.dataDir}; stop it first`);
        const r = await restoreSqlite(file, databaseFile(config), { knownSchemaVersion: Math.max(...MIGRATIONS.map((m) => m.version)), now: new Date() });
        process.stdout.write(
          `restored ${file} into ${r.file}: ${r.events.toLocaleString('en-US')} events (up to #${r.headEventId}), new epoch ${r.epoch}\n` +
            (r.previous ? `the database that was there is kept as ${r.previous}\n` : ''),
        );
      }),
    );
}
