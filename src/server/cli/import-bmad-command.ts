import path from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { Option, type Command } from 'commander';
import { systemClock } from '../clock.js';
import { createBmadConnector } from '../connector/bmad/index.js';
import type { ConnectorEvent } from '../connector/bmad/to-events.js';
import { databaseStateStore } from '../modules/connectors/index.js';
import { createLogger } from '../observability/logger.js';
import { createCore } from '../core.js';
import { parseDir, parseUrl, remoteIngest } from './ingest-target.js';
import { commandConfigFrom, dataDirOption } from './options.js';

export function registerImportBmadCommand(cli: Command): void {
  cli
    .command('import-bmad')
    .description('import a BMAD project folder once: into this data dir, or into a running server with --url and --key')
    .argument('<dir>', 'the BMAD project folder (the one holding _bmad/, .bmad-core/, bmad/ or .bmad/)', parseDir)
    .addOption(new Option('--url <url>', 'a running BMAD Ops server to send the events to').argParser(parseUrl))
    .addOption(new Option('--key <key>', 'API key with the ingest scope (with --url)').env('BMAD_OPS_KEY'))
    .addOption(dataDirOption())
    .option('--no-git-history', "do not read the project's git history (env BMAD_OPS_GIT_HISTORY=0)")
    .option('--git-since <when>', 'read git history only after this date (YYYY-MM-DD, ISO date-time, or Nd for N days)')
    .action(async (dir: string, o: { url?: string; key?: string; dataDir?: string; gitHistory?: boolean; gitSince?: string }) => {
      if (o.url && !o.key) {
        process.stderr.write('bmad-ops: import-bmad --url needs --key (or BMAD_OPS_KEY): an API key with the ingest scope\n');
        process.exitCode = 1;
        return;
      }
      const bar = new SingleBar({ format: 'import-bmad [{bar}] {value}/{total} events', hideCursor: true, clearOnComplete: false }, Presets.shades_classic);
      let barStarted = false;
      const onProgress = (done: number, total: number) => {
        // Only large imports get a bar; a small one finishes before a person could read it.
        if (total < 200) return;
        if (!barStarted) {
          bar.start(total, 0);
          barStarted = true;
        }
        bar.setTotal(total);
        bar.update(done);
      };
      const config = commandConfigFrom({
        ...(o.dataDir ? { dataDir: o.dataDir } : {}),
        ...(o.gitHistory === false ? { gitHistory: false } : {}),
        ...(o.gitSince ? { gitSince: o.gitSince } : {}),
      });
      const core = o.url ? undefined : await createCore(config, { logger: createLogger('warn') });
      try {
        const ingest = o.url ? remoteIngest(o.url, o.key!) : (events: ConnectorEvent[]) => core!.ingestion.ingest(events);
        const connector = createBmadConnector(dir, {
          ingest,
          clock: systemClock,
          // The command says what went wrong itself, in one line per problem; the connector's log would repeat it as JSON.
          logger: createLogger('silent'),
          onProgress,
          history: { enabled: config.bmad.gitHistory, since: config.bmad.gitSince },
          ...(core ? { stateStore: databaseStateStore(core.db, systemClock) } : {}),
        });
        const result = await connector.start({ watch: false });
        if (barStarted) bar.stop();
        const snap = connector.snapshot;
        if (!snap) {
          process.stderr.write(`bmad-ops: ${connector.lastError ?? `${dir} could not be read as a BMAD project`}\n`);
          process.exitCode = 1;
          return;
        }
        process.stdout.write(
          `imported ${snap.projectName} (${snap.layout}): ${snap.stories.length} stories, ${snap.documents.length} documents; ` +
            `${result.accepted} events new, ${result.duplicates} already known, ${result.rejected} rejected\n`,
        );
        for (const note of connector.notes) process.stdout.write(`history: ${note}\n`);
        if (result.firstProblem) process.stderr.write(`bmad-ops: ${result.firstProblem}\n`);
        for (const e of snap.errors) process.stderr.write(`bmad-ops: ${path.join(dir, e.file)}${e.line ? `:${e.line}` : ''}: ${e.message}\n`);
        for (const f of snap.findings) process.stderr.write(`warning: ${path.join(dir, f.file)}${f.line ? `:${f.line}` : ''}: ${f.message}\n`);
        if (result.rejected > 0 || result.errors > 0 || snap.errors.length > 0) process.exitCode = 1;
      } catch (err) {
        if (barStarted) bar.stop();
        process.stderr.write(`bmad-ops: import failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
      } finally {
        await core?.close();
      }
    });
}
