import { Command } from 'commander';
import { ConfigError } from '../config.js';
import { MigrationMismatchError } from '../db/migrator.js';
import { isSqliteBusyError } from '../db/sqlite-connection.js';
import { WriteLockTimeoutError } from '../db/write-transaction.js';
import { registerBackupCommands } from './backup-commands.js';
import { registerImportBmadCommand } from './import-bmad-command.js';
import { registerImportClaudeUsageCommand } from './import-claude-usage-command.js';
import { registerKeyCommands } from './key-commands.js';
import { registerRepriceCommand } from './reprice-command.js';
import { registerPricingCommands } from './pricing-command.js';
import { registerServeCommand } from './serve-command.js';
import { registerSimulateCommand } from './simulate-command.js';
import { registerUserCommands } from './user-commands.js';
import { registerMigrateCommand } from './migrate-command.js';
import { registerVerifyCommand } from './verify-command.js';

function program(): Command {
  const cli = new Command('bmad-ops')
    .description('BMAD Ops: the live operations cockpit for BMAD Method projects')
    .showHelpAfterError()
    .configureOutput({ outputError: (str, write) => write(`bmad-ops: ${str.replace(/^error: /, '')}`) });
  registerServeCommand(cli);
  registerUserCommands(cli);
  registerKeyCommands(cli);
  registerSimulateCommand(cli);
  registerImportBmadCommand(cli);
  registerRepriceCommand(cli);
  registerPricingCommands(cli);
  registerImportClaudeUsageCommand(cli);
  registerBackupCommands(cli);
  registerVerifyCommand(cli);
  registerMigrateCommand(cli);
  return cli;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof MigrationMismatchError) {
      process.stderr.write(`bmad-ops: ${err.message}\n`);
      process.exit(2);
    }
    if (err instanceof WriteLockTimeoutError || isSqliteBusyError(err)) {
      process.stderr.write(
        'bmad-ops: the database stayed locked by another process (a running server or command) for longer than this command waits; try again (on SQLite, BMAD_OPS_SQLITE_BUSY_TIMEOUT_MS sets the wait in ms: 15000 by default)\n',
      );
      process.exit(1);
    }
    throw err;
  }
}

await main(process.argv);
