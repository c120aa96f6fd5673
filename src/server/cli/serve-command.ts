import type { Command } from 'commander';
import { DEMO_SOURCE } from '../demo/demo-workspace.js';
import { startServer } from '../server.js';
import { configFrom, dataDirOption, type GlobalFlags } from './options.js';

interface ServeFlags extends GlobalFlags {
  /** true for --demo, false for --no-demo, undefined for neither. */
  demo?: boolean;
}

export function registerServeCommand(cli: Command): void {
  cli
    .command('serve', { isDefault: true })
    .description('start the dashboard server (default command)')
    .option('--port <port>', 'HTTP port (env BMAD_OPS_PORT, default 8080)')
    .option('--host <host>', 'address to listen on (env BMAD_OPS_HOST, default 127.0.0.1)')
    .addOption(dataDirOption())
    // Both forms are declared so that "neither" stays undefined and BMAD_OPS_DEMO can decide; serve's default is on.
    .option('--demo', 'seed an empty data dir with a demo workspace and keep it moving (default; env BMAD_OPS_DEMO)')
    .option('--no-demo', 'no demo workspace: the data stays exactly what you send (or BMAD_OPS_DEMO=0)')
    .action(async (flags: ServeFlags) => {
      const config = configFrom(flags, { demo: true });
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
      const demo = server.demo?.status;
      if (demo?.state === 'seeded' || demo?.state === 'resumed') {
        process.stdout.write(
          `\nThis workspace is demo data (source "${DEMO_SOURCE}"), simulated at ${demo.ratePerSecond} event${demo.ratePerSecond === 1 ? '' : 's'} per second.\n` +
            `Start with --no-demo (or BMAD_OPS_DEMO=0) to turn it off; use an empty --data-dir for your real data.\n\n`,
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
