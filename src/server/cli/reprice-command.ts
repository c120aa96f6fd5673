import type { Command } from 'commander';
import { withWriteTransaction } from '../db/write-transaction.js';
import { analyticsRepository } from '../modules/analytics/index.js';
import { repriceCosts } from '../modules/costs/index.js';
import { createLogger } from '../observability/logger.js';
import { createCore } from '../core.js';
import { commandConfigFrom, dataDirOption } from './options.js';

/** History is re-costed only when someone asks: prices changed, or a pricing file override was added. */
export function registerRepriceCommand(cli: Command): void {
  cli
    .command('reprice')
    .description('re-cost token-priced cost rows with the current pricing table (pricing/claude.json or BMAD_OPS_PRICING_FILE)')
    .addOption(dataDirOption())
    .action(async (o: { dataDir?: string }) => {
      const core = await createCore(commandConfigFrom({ ...(o.dataDir ? { dataDir: o.dataDir } : {}) }), { logger: createLogger('warn') });
      try {
        const result = await repriceCosts(core.db, core.pricing);
        process.stdout.write(
          `repriced: ${result.examined} token-priced rows examined, ${result.changed} changed, ${result.unpriced} still without a price (unknown model or no price in effect)\n`,
        );
        if (result.changed > 0) {
          // Agent cost KPIs were summed from the old amounts: the server's rollup recomputes them from the events.
          await withWriteTransaction(core.db, { maxRetries: core.config.sqlite.lockRetries, retryDelayMs: 50 }, (trx) => analyticsRepository.reset(trx));
          process.stdout.write('agent analytics reset: a running server recomputes them from the event log\n');
        }
      } finally {
        await core.close();
      }
    });
}
