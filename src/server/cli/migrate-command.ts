import type { Command } from 'commander';
import { databaseFile } from '../config.js';
import { databaseUrlSchema } from '../config-scale-out.js';
import { compareCopies, copyRows, hasSchema } from '../db/copy-database.js';
import { runningServerPid } from '../db/data-dir-lock.js';
import { migrate } from '../db/migrator.js';
import { openPostgres, redactDatabaseUrl } from '../db/postgres-connection.js';
import { openSqlite } from '../db/sqlite-connection.js';
import type { DatabaseHandle } from '../db/handle.js';
import { commandConfigFrom, dataDirOption } from './options.js';

class MigrateRefused extends Error {}

async function ensureEmpty(pg: DatabaseHandle): Promise<void> {
  if (await hasSchema(pg)) throw new MigrateRefused('the target database already has a BMAD Ops schema: migrate copies into an empty database only');
}

export function registerMigrateCommand(cli: Command): void {
  cli
    .command('migrate')
    .description('copy this installation (SQLite) into an empty PostgreSQL database, verify every table, and say how to start on it')
    .requiredOption('--to <url>', 'the target: postgres://user:password@host:5432/database')
    .addOption(dataDirOption())
    .action(async (o: { to: string; dataDir?: string }) => {
      const url = databaseUrlSchema.safeParse(o.to);
      if (!url.success) {
        process.stderr.write(`bmad-ops migrate: --to: ${url.error.issues[0]!.message}\n`);
        process.exitCode = 2;
        return;
      }
      // The embedded database, whatever BMAD_OPS_DATABASE_URL says: it is what is being moved.
      const config = commandConfigFrom(o.dataDir ? { dataDir: o.dataDir } : {});
      const pid = runningServerPid(config.dataDir);
      if (pid !== undefined) {
        process.stderr.write(`bmad-ops migrate: a server (pid ${pid}) is serving ${config.dataDir}: stop it first, so nothing is written during the copy\n`);
        process.exitCode = 1;
        return;
      }
      const sqlite = openSqlite({ file: databaseFile(config), busyTimeoutMs: config.sqlite.busyTimeoutMs });
      const pg = openPostgres({ url: url.data, poolSize: 2, lockTimeoutMs: 10_000 });
      try {
        await migrate(sqlite);
        await ensureEmpty(pg);
        await migrate(pg);
        process.stderr.write(`copying ${databaseFile(config)} into ${redactDatabaseUrl(url.data)}\n`);
        const tables = await copyRows(sqlite, pg, (table, rows) => process.stderr.write(`  ${table}: ${rows.toLocaleString('en-US')} rows\n`));
        const { copies, differing } = await compareCopies(sqlite, pg, tables);
        if (differing.length > 0) {
          process.stderr.write(`bmad-ops migrate: the copy differs from the original in ${differing.join(', ')}\n`);
          process.exitCode = 1;
          return;
        }
        const rows = copies.reduce((n, c) => n + c.rows, 0);
        process.stdout.write(
          `verified: ${copies.length} tables, ${rows.toLocaleString('en-US')} rows, counts and checksums equal\n\n` +
            `Start BMAD Ops on PostgreSQL with:\n  BMAD_OPS_DATABASE_URL=${redactDatabaseUrl(url.data)}   (with your password in place of ***)\n` +
            `and, to run several instances, BMAD_OPS_NATS_URL=nats://… (README, "Scale out"). ${config.dataDir} is left as it was.\n`,
        );
      } catch (err) {
        const message = err instanceof MigrateRefused ? err.message : `the copy failed and was rolled back: ${(err as Error).message}`;
        process.stderr.write(`bmad-ops migrate: ${message}\n`);
        process.exitCode = 1;
      } finally {
        await sqlite.close();
        await pg.close();
      }
    });
}
