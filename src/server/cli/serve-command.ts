import type { Command } from 'commander';
import { DEMO_SOURCE } from '../demo/demo-workspace.js';
import { startServer, type RunningServer } from '../server.js';
import { configFrom, dataDirOption, type GlobalFlags } from './options.js';
import { firstFreePort, isBmadProject, userDataDir } from './project-mode.js';

interface ServeFlags extends GlobalFlags {
  /** true for --demo, false for --no-demo, undefined for neither. */
  demo?: boolean;
  bmad?: string[];
  gitHistory?: boolean;
  gitSince?: string;
  sample?: boolean;
  claudeUsage?: boolean;
  claudeDir?: string[];
  tlsCert?: string;
  tlsKey?: string;
  databaseUrl?: string;
  natsUrl?: string;
}

export function registerServeCommand(cli: Command): void {
  cli
    .command('serve', { isDefault: true })
    .description('start the dashboard server (default command)')
    .option('--port <port>', 'HTTP port (env BMAD_OPS_PORT, default 8080)')
    .option('--host <host>', 'address to listen on (env BMAD_OPS_HOST, default 127.0.0.1)')
    .addOption(dataDirOption())
    .option('--bmad <dir>', 'connect and watch a BMAD project folder (repeatable; env BMAD_OPS_BMAD_PROJECTS=dir1,dir2)', (v: string, prev: string[] = []) => [
      ...prev,
      v,
    ])
    // Both forms are declared so that "neither" stays undefined and BMAD_OPS_DEMO can decide.
    .option('--demo', 'seed an empty data dir with a simulated demo workspace and keep it moving (env BMAD_OPS_DEMO=1)')
    .option('--no-demo', 'no demo workspace (the default)')
    .option('--sample', 'connect the sample BMAD project, with weeks of git history, made once in <data-dir>/sample (env BMAD_OPS_SAMPLE=1)')
    .option('--no-git-history', "do not read connected projects' git history (env BMAD_OPS_GIT_HISTORY=0)")
    .option('--git-since <when>', 'read git history only after this date (YYYY-MM-DD, ISO date-time, or Nd for N days; env BMAD_OPS_GIT_SINCE)')
    .option('--no-claude-usage', "do not import the Claude Code transcripts of the connected projects' sessions (env BMAD_OPS_CLAUDE_USAGE=0)")
    .option('--database-url <url>', 'PostgreSQL instead of the embedded SQLite: postgres://user:password@host:5432/db (env BMAD_OPS_DATABASE_URL)')
    .option('--nats-url <url>', 'NATS JetStream between instances sharing that database: nats://host:4222 (env BMAD_OPS_NATS_URL)')
    .option('--tls-cert <file>', 'serve HTTPS and WSS with this PEM certificate (chain); needs --tls-key (env BMAD_OPS_TLS_CERT)')
    .option('--tls-key <file>', "the certificate's PEM private key (env BMAD_OPS_TLS_KEY)")
    .option(
      '--claude-dir <dir>',
      'a Claude Code config folder (or its projects/ folder) to read transcripts from, instead of CLAUDE_CONFIG_DIR or ~/.claude (repeatable)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .action(async (flags: ServeFlags) => {
      // `npx bmad-ops` in a BMAD project folder, with nothing else said: that folder, data kept per user, a free port.
      const env = process.env;
      const nothingChosen =
        !flags.bmad?.length && !env.BMAD_OPS_BMAD_PROJECTS && !flags.sample && !env.BMAD_OPS_SAMPLE && flags.demo !== true && !env.BMAD_OPS_DEMO;
      if (nothingChosen && (await isBmadProject(process.cwd()))) {
        flags.bmad = [process.cwd()];
        if (!flags.dataDir && !env.BMAD_OPS_DATA_DIR) flags.dataDir = userDataDir(env);
        if (!flags.port && !env.BMAD_OPS_PORT) flags.port = String(await firstFreePort(flags.host ?? env.BMAD_OPS_HOST ?? '127.0.0.1', 8080));
      }
      const config = configFrom(flags);
      const server = await startServer(config);
      const log = server.core.logger;
      // Before anything is printed: whoever reads the banner may signal at once, and must get a clean shutdown.
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
      log.info({ url: server.url, dataDir: config.dataDir }, 'bmad-ops listening');
      process.stdout.write(`\nBMAD Ops is running at ${server.url} (data in ${config.dataDir})\n`);
      if (server.bootstrapAdmin) {
        const a = server.bootstrapAdmin;
        process.stdout.write(
          a.generated
            ? `\nFirst start: created manager account\n  email:    ${a.email}\n  password: ${a.password}\nThis password is shown only once; you choose your own at first sign-in.\n\n`
            : `\nFirst start: created manager account ${a.email} with the password from BMAD_OPS_ADMIN_PASSWORD.\n\n`,
        );
      }
      for (const c of server.bmad.all) {
        const snap = c.snapshot!;
        const what =
          server.sample?.dir === c.root ? (server.sample.created ? 'the sample project, made now with its git history' : 'the sample project') : c.root;
        process.stdout.write(
          `BMAD project "${snap.projectName}" (${what}): ${snap.stories.length} stories, ${snap.documents.length} documents — ${server.url}/projects/${encodeURIComponent(`bmad:${snap.projectKey}`)}\n`,
        );
        for (const note of c.notes) process.stdout.write(`  note: ${note}\n`);
      }
      if (server.claude)
        process.stdout.write(
          claudeBanner(
            server.claude,
            server.bmad.all.map((c) => c.snapshot!),
          ),
        );
      const demo = server.demo?.status;
      if (demo?.state === 'seeded' || demo?.state === 'resumed') {
        process.stdout.write(
          `\nThis workspace is demo data (source "${DEMO_SOURCE}"), simulated at ${demo.ratePerSecond} event${demo.ratePerSecond === 1 ? '' : 's'} per second.\n` +
            `It runs because of --demo (or BMAD_OPS_DEMO=1); use an empty --data-dir without it for your real data.\n\n`,
        );
      }
    });
}

const count = (n: number) => n.toLocaleString('en-US');

/** "Claude Code: 14 sessions, 3,210 requests, USD 41.20 attributed to streakly; 2 sessions outside any project". */
function claudeBanner(c: NonNullable<RunningServer['claude']>, projects: { projectKey: string; projectName: string }[]): string {
  if (c.dirs.length === 0) return 'Claude Code: no transcripts on this machine (looked in CLAUDE_CONFIG_DIR or ~/.claude; --claude-dir to point elsewhere)\n';
  const parts = projects.map((p) => {
    const sessions = c.sessionsByProject[p.projectKey] ?? 0;
    const requests = c.requestsByProject[p.projectKey] ?? 0;
    const costs = c.costByProject.filter((r) => r.projectId === `bmad:${p.projectKey}`);
    const money = costs.filter((r) => r.currency !== null).map((r) => `${r.currency} ${r.amount.toFixed(2)}`);
    const unpriced = costs.reduce((n, r) => n + r.unpriced, 0);
    const cost = money.length > 0 ? `, ${money.join(' + ')}` : '';
    const note = unpriced > 0 ? ` (${count(unpriced)} request${unpriced === 1 ? '' : 's'} of unknown models, unpriced)` : '';
    return `${count(sessions)} session${sessions === 1 ? '' : 's'}, ${count(requests)} request${requests === 1 ? '' : 's'}${cost} attributed to ${p.projectName}${note}`;
  });
  const outside = c.sessionsOutside > 0 ? `; ${count(c.sessionsOutside)} session${c.sessionsOutside === 1 ? '' : 's'} outside any project (not imported)` : '';
  return `Claude Code: ${parts.join('; ')}${outside}\n`;
}
