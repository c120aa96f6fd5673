import type { Command } from 'commander';
import { startServer } from '../server.js';
import { configFrom, dataDirOption, type GlobalFlags } from './options.js';

export function registerServeCommand(cli: Command): void {
  cli
    .command('serve', { isDefault: true })
    .description('start the dashboard server (default command)')
    .option('--port <port>', 'HTTP port (env BMAD_OPS_PORT, default 8080)')
    .option('--host <host>', 'address to listen on (env BMAD_OPS_HOST, default 127.0.0.1)')
    .addOption(dataDirOption())
    .action(async (flags: GlobalFlags) => {
      const config = configFrom(flags);
      const server = await startServer(config);
      const log = server.core.logger;
      log.info({ url: server.url, dataDir: config.dataDir }, 'bmad-ops listening');
      process.stdout.write(`\nBMAD Ops is running at ${server.url} (data in ${config.dataDir})\n`);
      if (server.bootstrapAdmin) {
        const a = server.bootstrapAdmin;
        process.stdout.write(
          a.generated
            ? `\nFirst start: created manager account\n  email:    ${a.email}\n  password: ${a.password}\nThis password is shown only once.\n\n`
            : `\nFirst start: created manager account ${a.email} with the password from BMAD_OPS_ADMIN_PASSWORD.\n\n`,
        );
      }
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, 'shutting down');
        server.close().then(
          () => process.exit(0),
          (err: unknown) => {
            log.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    });
}
