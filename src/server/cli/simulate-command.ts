import { randomInt } from 'node:crypto';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { systemClock } from '../clock.js';
import { BmadSimulator } from '../simulator/bmad-simulator.js';
import { SeededRandom } from '../simulator/random.js';
import { runSimulation, SimulatorError, type RunStats } from '../simulator/simulation-runner.js';

export const MAX_RATE = 10_000;
const MAX_DURATION_S = 7 * 24 * 3600;
const DEFAULT_URL = 'http://127.0.0.1:8080';

function parseRate(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > MAX_RATE) {
    throw new InvalidArgumentError(`--rate must be events per second, greater than 0 and at most ${MAX_RATE} (got "${value}")`);
  }
  return n;
}

function parseDuration(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > MAX_DURATION_S) {
    throw new InvalidArgumentError(`--duration must be seconds, 0 (run until Ctrl-C) or more, at most ${MAX_DURATION_S} (got "${value}")`);
  }
  return n;
}

function parseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`--url must be an http(s) URL such as ${DEFAULT_URL} (got "${value}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError(`--url must use http or https (got "${value}")`);
  return url.origin + url.pathname.replace(/\/+$/, '');
}

function parseSeed(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new InvalidArgumentError(`--seed must be an integer from 0 to ${0xffffffff} (got "${value}")`);
  return n;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');

function progressLine(s: RunStats, durationS: number): string {
  const elapsed = s.elapsedMs / 1000;
  const of = durationS > 0 ? `/${durationS}s` : 's';
  return (
    `simulate: ${elapsed.toFixed(0)}${of} sent ${int(s.sent)} accepted ${int(s.accepted)} duplicates ${int(s.duplicates)} ` +
    `rejected ${int(s.rejected)} throttled ${int(s.throttled)} (${(s.sent / Math.max(elapsed, 0.001)).toFixed(1)} events/s)`
  );
}

interface SimulateFlags {
  rate: number;
  duration: number;
  url: string;
  key?: string;
  seed?: number;
}

export function registerSimulateCommand(cli: Command): void {
  cli
    .command('simulate')
    .description('post a realistic stream of BMAD-like events to a running server (a load generator for demos and tests)')
    .addOption(new Option('--rate <events>', `events per second, up to ${MAX_RATE}`).argParser(parseRate).default(5))
    .addOption(new Option('--duration <seconds>', 'how long to run; 0 runs until Ctrl-C').argParser(parseDuration).default(60))
    .addOption(new Option('--url <url>', 'the server to post to').argParser(parseUrl).default(DEFAULT_URL))
    .addOption(new Option('--key <key>', 'API key with the ingest scope').env('BMAD_OPS_KEY'))
    .addOption(new Option('--seed <n>', 'random seed, to replay the same stream (default: random)').argParser(parseSeed))
    .action(async (o: SimulateFlags) => {
      if (!o.key) {
        process.stderr.write(
          'bmad-ops: simulate needs an API key with the ingest scope: pass --key or set BMAD_OPS_KEY (create one with `bmad-ops key create --name simulator --scope ingest`: its source is "simulator")\n',
        );
        process.exitCode = 1;
        return;
      }
      const seed = o.seed ?? randomInt(0, 0xffffffff);
      // Time first, so the ids of later runs sort after earlier ones (time-ordered ids ingest fastest).
      const runId =
        systemClock.now().getTime().toString(36) +
        randomInt(36 ** 3)
          .toString(36)
          .padStart(3, '0');
      const simulator = new BmadSimulator({ runId, random: new SeededRandom(seed), clock: systemClock });
      const stop = new AbortController();
      let interrupted = false;
      const onSignal = () => {
        // A second Ctrl-C means "now", even with a request in flight.
        if (interrupted) process.exit(130);
        interrupted = true;
        process.stderr.write('\nsimulate: stopping after the request in flight (Ctrl-C again to quit at once)\n');
        stop.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      process.stderr.write(
        `simulate: ${o.rate} events/s ${o.duration > 0 ? `for ${o.duration}s` : 'until Ctrl-C'} to ${o.url} as source "${simulator.source}", run ${runId}, seed ${seed}\n`,
      );
      try {
        const stats = await runSimulation({
          url: o.url,
          key: o.key,
          rate: o.rate,
          durationS: o.duration,
          events: simulator,
          signal: stop.signal,
          onProgress: (s) => process.stderr.write(`${progressLine(s, o.duration)}\n`),
        });
        process.stderr.write(`${progressLine(stats, o.duration)} done\n`);
        if (stats.behind > 0)
          process.stderr.write(`simulate: ${int(stats.behind)} events were due but not sent: the server did not keep up with --rate ${o.rate}\n`);
        if (stats.rejected > 0) {
          process.stderr.write(`bmad-ops: the server rejected ${int(stats.rejected)} events; first: ${stats.firstRejection ?? 'unknown'}\n`);
          process.exitCode = 1;
        }
      } catch (err) {
        if (!(err instanceof SimulatorError)) throw err;
        process.stderr.write(`bmad-ops: ${err.message}\n`);
        process.exitCode = 1;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
