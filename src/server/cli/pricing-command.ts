import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { dataPricingFile, loadPricingTable, PricingFileError } from '../pricing/pricing-table.js';
import { dataDirOption } from './options.js';

/**
 * Prices without a release: `pricing update FILE` validates a table and installs it as the data dir's own
 * (`<data-dir>/pricing.json`, used by the next start unless BMAD_OPS_PRICING_FILE names another); an invalid file is
 * refused naming the file and the field, and the table in use is left as it was.
 */
export function registerPricingCommands(cli: Command): void {
  const pricing = cli.command('pricing').description('show or update the pricing table');
  pricing
    .command('update <file>')
    .description('validate a pricing table (the format of pricing/claude.json) and use it for this data dir from the next start')
    .addOption(dataDirOption())
    .action((file: string, o: { dataDir?: string }) => {
      try {
        const table = loadPricingTable(path.resolve(file));
        const config = loadConfig(process.env, o.dataDir ? { dataDir: o.dataDir } : {});
        const target = dataPricingFile(config.dataDir);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        // Written beside and renamed: a reader never sees half a table.
        fs.writeFileSync(`${target}.tmp`, JSON.stringify(table.file, null, 2));
        fs.renameSync(`${target}.tmp`, target);
        process.stdout.write(
          `pricing table ${table.version} (${Object.keys(table.file.models).length} models) installed in ${target}; it is used from the next start — run \`bmad-ops reprice\` to re-cost history with it\n`,
        );
      } catch (err) {
        process.stderr.write(`bmad-ops: ${err instanceof PricingFileError ? err.message : `pricing update failed: ${(err as Error).message}`}\n`);
        process.exitCode = 1;
      }
    });
  pricing
    .command('show')
    .description('the pricing table this data dir uses: version, source and models')
    .addOption(dataDirOption())
    .action((o: { dataDir?: string }) => {
      try {
        const config = loadConfig(process.env, o.dataDir ? { dataDir: o.dataDir } : {});
        const table = loadPricingTable(config.pricing.file ?? dataPricingFileIfAny(config.dataDir));
        process.stdout.write(`pricing table ${table.version} (${table.file.currency}, ${table.file.unit ?? 'per million tokens'})\n`);
        for (const [id, m] of Object.entries(table.file.models)) {
          const p = m.prices.at(-1)!;
          process.stdout.write(
            `${id}\tfrom ${p.effectiveFrom}\tin ${p.input}\tout ${p.output}\tcache write ${p.cacheWrite} / 1h ${p.cacheWrite1h ?? 2 * p.input}\tcache read ${p.cacheRead}${p.longContext ? `\t>${p.longContext.thresholdTokens} tokens: in ${p.longContext.input} out ${p.longContext.output}` : ''}\n`,
          );
        }
      } catch (err) {
        process.stderr.write(`bmad-ops: ${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}

function dataPricingFileIfAny(dataDir: string): string | undefined {
  const f = dataPricingFile(dataDir);
  return fs.existsSync(f) ? f : undefined;
}
