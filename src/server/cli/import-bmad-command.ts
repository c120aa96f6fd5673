import fs from 'node:fs';
import path from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { ingestResponseSchema, type IngestResponse } from '../../contracts/index.js';
import { systemClock } from '../clock.js';
import { createBmadConnector } from '../connector/bmad/index.js';
import type { ConnectorEvent } from '../connector/bmad/to-events.js';
import { createLogger } from '../observability/logger.js';
import { createCore } from '../server.js';
import { configFrom, dataDirOption } from './options.js';

function parseDir(value: string): string {
  const dir = path.resolve(value);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new InvalidArgumentError(`${value} is not a directory`);
  return dir;
}

function parseUrl(value: string): string {
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    return u.origin + u.pathname.replace(/\/+$/, '');
  } catch {
    throw new InvalidArgumentError(`--url must be an http(s) URL such as http://127.0.0.1:8080 (got "${value}")`);
  }
}

/** Posts to a remote server's public ingestion API, with the answers checked against the shared contract. */
function remoteIngest(url: string, key: string) {
  return async (events: ConnectorEvent[]): Promise<IngestResponse> => {
    const res = await fetch(`${url}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    });
    const body: unknown = await res.json().catch(() => undefined);
    if (res.status === 401 || res.status === 403) throw new Error(`the server refused the key (${res.status}): it needs the ingest scope`);
    const parsed = ingestResponseSchema.safeParse(body);
    if (!parsed.success) throw new Error(`the server answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
    return parsed.data;
  };
}

export function registerImportBmadCommand(cli: Command): void {
  cli
    .command('import-bmad')
    .description('import a BMAD project folder once: into this data dir, or into a running server with --url and --key')
    .argument('<dir>', 'the BMAD project folder (the one holding _bmad/, .bmad-core/, bmad/ or .bmad/)', parseDir)
    .addOption(new Option('--url <url>', 'a running BMAD Ops server to send the events to').argParser(parseUrl))
    .addOption(new Option('--key <key>', 'API key with the ingest scope (with --url)').env('BMAD_OPS_KEY'))
    .addOption(dataDirOption())
    .action(async (dir: string, o: { url?: string; key?: string; dataDir?: string }) => {
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
      const core = o.url ? undefined : await createCore(configFrom({ ...(o.dataDir ? { dataDir: o.dataDir } : {}) }), { logger: createLogger('warn') });
      try {
        const ingest = o.url ? remoteIngest(o.url, o.key!) : (events: ConnectorEvent[]) => core!.ingestion.ingest(events);
        const connector = createBmadConnector(dir, { ingest, clock: systemClock, logger: core?.logger ?? createLogger('warn'), onProgress });
        const result = await connector.start({ watch: false });
        if (barStarted) bar.stop();
        const snap = connector.snapshot;
        if (!snap) {
          process.stderr.write(`bmad-ops: ${dir} could not be read as a BMAD project (see the log above)\n`);
          process.exitCode = 1;
          return;
        }
        process.stdout.write(
          `imported ${snap.projectName} (${snap.layout}): ${snap.stories.length} stories, ${snap.documents.length} documents; ` +
            `${result.accepted} events new, ${result.duplicates} already known, ${result.rejected} rejected\n`,
        );
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
