import type { Command } from 'commander';
import { createConsistencyMonitor, createCore, readViews } from '../core.js';
import { commandConfigFrom, dataDirOption } from './options.js';

export function registerVerifyCommand(cli: Command): void {
  cli
    .command('verify')
    .description('rebuild every read model from the event log and compare, and check the views agree (exit 1 on a difference)')
    .addOption(dataDirOption())
    .action(async (o: { dataDir?: string }) => {
      const core = await createCore(commandConfigFrom(o.dataDir ? { dataDir: o.dataDir } : {}), {});
      try {
        const run = await createConsistencyMonitor(core, readViews(core, undefined, { cache: false })).verify('cli');
        const read = run.eventsRead === null ? 'rows not rebuilt' : `${run.eventsRead.toLocaleString('en-US')} events rebuilt`;
        process.stdout.write(
          `consistency check #${run.id}: ${run.result}, ${run.findings} finding${run.findings === 1 ? '' : 's'} (${read}, ${run.durationMs ?? 0} ms)\n`,
        );
        if (run.note) process.stdout.write(`note: ${run.note}\n`);
        for (const f of run.sample) process.stdout.write(`  ${f.kind}: ${f.message}\n`);
        if (run.findings > run.sample.length) process.stdout.write(`  … and ${run.findings - run.sample.length} more (the project pages list them)\n`);
        if (run.result !== 'ok') process.exitCode = 1;
      } finally {
        await core.close();
      }
    });
}
