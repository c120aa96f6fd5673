import fs from 'node:fs';
import chokidar from 'chokidar';
import { SingleBar, Presets } from 'cli-progress';
import { Option, type Command } from 'commander';
import { NoBmadProjectError } from '../connector/bmad/parse/index.js';
import type { ConnectorEvent } from '../connector/bmad/to-events.js';
import {
  Batcher,
  ClaudeUsageImporter,
  defaultClaudeProjectDirs,
  listTranscriptFiles,
  resolveBmadRoots,
  type BmadRoot,
  type ImportStats,
  type LineIssue,
} from '../importers/claude/index.js';
import { createLogger } from '../observability/logger.js';
import { createCore } from '../core.js';
import { parseDir, parseUrl, remoteIngest, type Ingest } from './ingest-target.js';
import { commandConfigFrom, dataDirOption } from './options.js';

function summary(s: ImportStats, t: Batcher['totals']): string {
  return (
    `read ${s.files} transcript files, ${s.linesRead} lines: ${s.usageEntries} usage entries ` +
    `(${s.duplicates} duplicates skipped, ${s.malformed} malformed lines, ${s.apiErrors} API error lines skipped)\n` +
    `attribution: ${s.inProject} in a BMAD project, ${s.outsideProject} outside any; ${s.attributed} attributed to a BMAD agent, ${s.unattributed} unattributed\n` +
    `tokens: ${s.tokens.input} input, ${s.tokens.output} output, ${s.tokens.cacheWrite} cache write, ${s.tokens.cacheRead} cache read\n` +
    `events: ${t.accepted} new, ${t.duplicates} already known, ${t.rejected} rejected\n`
  );
}

function reportIssues(issues: readonly LineIssue[], from: number): void {
  const shown = issues.slice(from, from + 20);
  for (const i of shown) process.stderr.write(`warning: ${i.file}:${i.line}: ${i.message}\n`);
  if (issues.length - from > shown.length) process.stderr.write(`warning: … and ${issues.length - from - shown.length} more malformed lines\n`);
}

interface Options {
  dir?: string;
  watch?: boolean;
  bmad?: string[];
  url?: string;
  key?: string;
  dataDir?: string;
}

export function registerImportClaudeUsageCommand(cli: Command): void {
  cli
    .command('import-claude-usage')
    .description('import Claude Code token usage (JSONL transcripts) as cost events: into this data dir, or into a running server with --url and --key')
    .addOption(
      new Option('--dir <dir>', 'transcript folder (default: CLAUDE_CONFIG_DIR/projects, or ~/.config/claude/projects and ~/.claude/projects)').argParser(
        parseDir,
      ),
    )
    .option('--watch', 'keep running and import new transcript lines as Claude Code writes them (Ctrl-C to stop)')
    .option(
      '--bmad <dir>',
      'a BMAD project folder to attribute sessions to by their working directory (repeatable; default: the configured bmad.projects)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .addOption(new Option('--url <url>', 'a running BMAD Ops server to send the events to').argParser(parseUrl))
    .addOption(new Option('--key <key>', 'API key with the ingest scope (with --url)').env('BMAD_OPS_KEY'))
    .addOption(dataDirOption())
    .action(async (o: Options) => {
      if (o.url && !o.key) {
        process.stderr.write('bmad-ops: import-claude-usage --url needs --key (or BMAD_OPS_KEY): an API key with the ingest scope\n');
        process.exitCode = 1;
        return;
      }
      const dirs = o.dir ? [o.dir] : defaultClaudeProjectDirs().filter((d) => fs.existsSync(d));
      if (dirs.length === 0) {
        process.stderr.write(`bmad-ops: no Claude Code transcripts found (looked in ${defaultClaudeProjectDirs().join(', ')}); name the folder with --dir\n`);
        process.exitCode = 1;
        return;
      }
      const config = commandConfigFrom({ ...(o.dataDir ? { dataDir: o.dataDir } : {}), ...(o.bmad ? { bmad: o.bmad } : {}) });
      let roots: BmadRoot[];
      try {
        roots = await resolveBmadRoots(config.bmad.projects);
      } catch (err) {
        const msg = err instanceof NoBmadProjectError ? err.message : `could not read a BMAD project: ${err instanceof Error ? err.message : String(err)}`;
        process.stderr.write(`bmad-ops: --bmad: ${msg}\n`);
        process.exitCode = 1;
        return;
      }

      const core = o.url ? undefined : await createCore(config, { logger: createLogger('warn') });
      const importer = new ClaudeUsageImporter(roots);
      const ingest: Ingest = o.url ? remoteIngest(o.url, o.key!) : (events) => core!.ingestion.ingest(events);
      const batcher = new Batcher(ingest);
      const emit = (e: ConnectorEvent) => batcher.add(e);
      const bar = new SingleBar(
        { format: 'import-claude-usage [{bar}] {percentage}% of {total} KiB', hideCursor: true, clearOnComplete: false },
        Presets.shades_classic,
      );
      let barStarted = false;
      try {
        const files = await listTranscriptFiles(dirs);
        const totalBytes = files.reduce((n, f) => n + (fs.statSync(f, { throwIfNoEntry: false })?.size ?? 0), 0);
        // Only large imports get a bar; a small one finishes before a person could read it.
        let done = 0;
        if (totalBytes > 2 * 1024 * 1024) {
          bar.start(Math.ceil(totalBytes / 1024), 0);
          barStarted = true;
        }
        const onBytes = (n: number) => {
          done += n;
          if (barStarted) bar.update(Math.floor(done / 1024));
        };
        for (const file of files) await importer.readFile(file, { partial: o.watch ? 'keep' : 'read', emit, onBytes });
        for (const e of importer.runEvents(Date.now())) await emit(e);
        await batcher.flush();
        if (barStarted) bar.stop();
        barStarted = false;
        process.stdout.write(summary(importer.stats, batcher.totals));
        reportIssues(importer.issues, 0);
        if (batcher.firstProblem) process.stderr.write(`bmad-ops: ${batcher.firstProblem}\n`);
        if (o.watch) await watch(dirs, importer, batcher, emit);
        if (batcher.totals.rejected > 0) process.exitCode = 1;
      } catch (err) {
        if (barStarted) bar.stop();
        process.stderr.write(`bmad-ops: import failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
      } finally {
        await core?.close();
      }
    });
}

/** Tails the transcript folders until SIGINT/SIGTERM: each change reads the file from its remembered offset. */
async function watch(dirs: string[], importer: ClaudeUsageImporter, batcher: Batcher, emit: (e: ConnectorEvent) => Promise<void>): Promise<void> {
  let queue: Promise<void> = Promise.resolve();
  let failed: unknown = null;
  const readFile = (file: string) => {
    queue = queue
      .then(async () => {
        const before = { ...batcher.totals };
        const entries = importer.stats.usageEntries;
        const issues = importer.issues.length;
        await importer.readFile(file, { partial: 'keep', emit });
        for (const e of importer.runEvents(Date.now())) await emit(e);
        await batcher.flush();
        reportIssues(importer.issues, issues);
        const t = batcher.totals;
        const added = importer.stats.usageEntries - entries;
        if (added > 0 || t.rejected > before.rejected) {
          process.stdout.write(
            `${file}: +${added} usage entries: ${t.accepted - before.accepted} events new, ${t.duplicates - before.duplicates} already known, ${t.rejected - before.rejected} rejected\n`,
          );
        }
      })
      .catch((err: unknown) => {
        failed = err;
        process.stderr.write(`bmad-ops: ${file}: ${err instanceof Error ? err.message : String(err)}\n`);
      });
  };
  const watcher = chokidar.watch(dirs, { ignoreInitial: true, persistent: true });
  const onFile = (file: string) => {
    if (file.endsWith('.jsonl')) readFile(file);
  };
  watcher.on('add', onFile).on('change', onFile);
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  // Catch up on anything written between the first pass and the watcher being ready.
  for (const file of await listTranscriptFiles(dirs)) readFile(file);
  await queue;
  process.stdout.write(`watching ${dirs.join(', ')} for new usage (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await watcher.close();
  await queue;
  process.stdout.write(`stopped watching\n${summary(importer.stats, batcher.totals)}`);
  if (failed) process.exitCode = 1;
}
