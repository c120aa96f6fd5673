/**
 * Ingest throughput: events/s through POST /api/v1/events on loopback (validation, dedup, append, projections,
 * fsynced commit) against the ceiling of appending the same rows straight into domain_events. See bench/README.md.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import { runCeiling } from './support/ceiling.js';
import { gitInfo } from './support/run-info.js';
import { percentile, runLoad, type LoadTarget } from './support/http-load.js';
import { probeFigures, PROBE_PATH, startReadProbe } from './support/read-probe.js';
import { startServerChild, stopServerChild, type ServerChild, type ServerHello } from './support/server-child.js';
import { batches, domainEventValues, type BenchEvent } from './support/workload.js';
import { benchTmpBase, envInt } from './support/env.js';
import { machineBusyMs, measured, measuredWith, processesCpuMs, reportOthers, threadCores, threadsCpuMs, waitForQuiet } from './support/machine-load.js';

interface Plan {
  batchSize: number;
  /** Untimed events first: JIT, SQLite page cache and keep-alive sockets warm up on these. */
  warmupEvents: number;
  timedEvents: number;
}

const PLANS: Plan[] = [
  { batchSize: 1, warmupEvents: 500, timedEvents: 4_000 },
  { batchSize: 100, warmupEvents: 10_000, timedEvents: 150_000 },
  { batchSize: 1000, warmupEvents: 20_000, timedEvents: 150_000 },
];
const TARGET = { batchSize: 100, eventsPerSec: 25_000 };
/** A timed phase during which other processes used more than this is not reported. */
const MAX_OTHERS_CORES = 0.5;

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const resultsDir = path.join(benchDir, 'results');

const concurrency = envInt('BENCH_CONCURRENCY', 8);
const onlyBatches = process.env.BENCH_BATCHES?.split(',').map(Number);
const plans = onlyBatches ? PLANS.filter((p) => onlyBatches.includes(p.batchSize)) : PLANS;
const cpuProfDir = process.env.BENCH_CPU_PROF ? path.join(resultsDir, 'profiles') : undefined;
const tmpBase = benchTmpBase();
if (plans.length === 0) throw new Error(`BENCH_BATCHES=${process.env.BENCH_BATCHES} matches none of ${PLANS.map((p) => p.batchSize).join(', ')}`);

async function startServerProcess(dataDir: string): Promise<{ child: ServerChild; target: LoadTarget; hello: ServerHello }> {
  const { child, hello } = await startServerChild(dataDir, {
    startTimeoutMs: 30_000,
    // BENCH_BUILD=1: the compiled server (dist/, `npm run build:server`) under bare Node, as it ships.
    build: process.env.BENCH_BUILD === '1',
    nodeFlags: cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [],
  });
  return { child, target: hello, hello };
}

async function stopServerProcess(child: ServerChild): Promise<void> {
  const code = await stopServerChild(child, 20_000);
  if (code !== 0) throw new Error(`the server process exited with code ${code}`);
}

/**
 * Flushes the page cache to disk before a timed phase. The HTTP phase writes gigabytes; without this the kernel's
 * writeback of that data lands on the next phase's fsyncs and the ceiling would measure the previous phase.
 */
function settleDisk(): void {
  try {
    execFileSync('sync', { stdio: 'ignore' });
  } catch {
    // no sync(1) here: the numbers are just noisier
  }
}

function countRows(file: string): number {
  const db = new SqliteDatabase(file, { readonly: true });
  try {
    return (db.prepare('select count(*) as n from domain_events').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const toBodies = (list: BenchEvent[][]) => list.map((events) => ({ body: Buffer.from(JSON.stringify({ events })), events: events.length }));

interface Row {
  batchSize: number;
  requests: number;
  events: number;
  httpEventsPerSec: number;
  ceilingEventsPerSec: number;
  ratio: number;
  p50Ms: number;
  p99Ms: number;
  httpElapsedMs: number;
  ceilingElapsedMs: number;
  /** Load generator CPU as a share of one core during the timed HTTP phase. */
  clientCpuShare: number;
  /** Cores other processes (not the bench, not its server) used during the timed HTTP and ceiling phases. */
  othersCores: { http: number | undefined; ceiling: number | undefined };
  /** Where the server's CPU went during the timed HTTP phase, in cores, by thread (user and kernel time). */
  serverThreads: { name: string; user: number; system: number }[];
  /** Busy cores of the whole machine (user, kernel, interrupts) during the timed HTTP phase: 2 means no headroom. */
  machineCores: number | undefined;
  /** A dashboard read (PROBE_PATH, one at a time) on the idle server just before the timed phase, and during it. */
  reads: { idle: ReturnType<typeof probeFigures>; duringIngest: ReturnType<typeof probeFigures> };
  /** The server's resident memory right after the timed phase (MB), from /proc; undefined off Linux. */
  serverRssMb: number | undefined;
}

function rssMb(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** How long the read probe runs on the idle server before the timed phase. */
const IDLE_PROBE_MS = 3_000;

async function benchBatchSize(plan: Plan): Promise<Row> {
  const warmup = batches(0, plan.warmupEvents, plan.batchSize);
  const timed = batches(plan.warmupEvents, plan.timedEvents, plan.batchSize);
  const warmupBodies = toBodies(warmup);
  const timedBodies = toBodies(timed);

  const httpDir = fs.mkdtempSync(path.join(tmpBase, `bmad-ops-bench-http-${plan.batchSize}-`));
  const ceilingDir = fs.mkdtempSync(path.join(tmpBase, `bmad-ops-bench-ceiling-${plan.batchSize}-`));
  try {
    settleDisk();
    const { child, target, hello } = await startServerProcess(httpDir);
    let reads: Row['reads'] | undefined;
    let serverRssMb: number | undefined;
    let load;
    let httpOthers: number | undefined;
    let serverThreads: Row['serverThreads'] = [];
    let machineCores: number | undefined;
    try {
      await runLoad(target, warmupBodies, concurrency);
      await waitForQuiet(`batch ${plan.batchSize}`, MAX_OTHERS_CORES, 30, 'user');
      const idleProbe = startReadProbe(hello.url, hello.readKey);
      await new Promise((r) => setTimeout(r, IDLE_PROBE_MS));
      const idle = probeFigures(await idleProbe.stop());
      const probe = startReadProbe(hello.url, hello.readKey);
      const threads0 = threadsCpuMs(child.pid!);
      const machine0 = machineBusyMs('all');
      const timedRun = await measuredWith(
        () => processesCpuMs([child.pid!], [], 'user'),
        () => runLoad(target, timedBodies, concurrency),
        // User time only: every commit's fsync keeps the kernel's journal threads busy on this bench's behalf.
        'user',
      );
      load = timedRun.value;
      httpOthers = timedRun.othersCores;
      reads = { idle, duringIngest: probeFigures(await probe.stop()) };
      serverRssMb = rssMb(child.pid!);
      const machine1 = machineBusyMs('all');
      serverThreads = threadCores(child.pid!, threads0, threadsCpuMs(child.pid!), timedRun.ms);
      machineCores = machine0 === undefined || machine1 === undefined ? undefined : (machine1 - machine0) / timedRun.ms;
    } finally {
      await stopServerProcess(child);
    }
    const stored = countRows(path.join(httpDir, 'bmad-ops.sqlite'));
    if (stored !== plan.warmupEvents + plan.timedEvents)
      throw new Error(`the server stored ${stored} events, expected ${plan.warmupEvents + plan.timedEvents}`);

    const ceilingWarmup = warmup.map((b) => b.map(domainEventValues));
    const ceilingTimed = timed.map((b) => b.map(domainEventValues));
    settleDisk();
    await waitForQuiet(`batch ${plan.batchSize} ceiling`, MAX_OTHERS_CORES, 30, 'user');
    const { value: ceiling, othersCores: ceilingOthers } = await measured(
      () => runCeiling(path.join(ceilingDir, 'bmad-ops.sqlite'), ceilingWarmup, ceilingTimed),
      'user',
    );

    const httpEventsPerSec = load.events / (load.elapsedMs / 1000);
    const ceilingEventsPerSec = ceiling.events / (ceiling.elapsedMs / 1000);
    return {
      batchSize: plan.batchSize,
      requests: load.requests,
      events: load.events,
      httpEventsPerSec,
      ceilingEventsPerSec,
      ratio: httpEventsPerSec / ceilingEventsPerSec,
      p50Ms: percentile(load.latenciesMs, 50),
      p99Ms: percentile(load.latenciesMs, 99),
      httpElapsedMs: load.elapsedMs,
      ceilingElapsedMs: ceiling.elapsedMs,
      clientCpuShare: load.clientCpuMs / load.elapsedMs,
      othersCores: { http: httpOthers, ceiling: ceilingOthers },
      serverThreads,
      machineCores,
      reads: reads!,
      serverRssMb,
    };
  } finally {
    fs.rmSync(httpDir, { recursive: true, force: true });
    fs.rmSync(ceilingDir, { recursive: true, force: true });
  }
}

function table(rows: readonly Row[]): string {
  const int = (n: number) => Math.round(n).toLocaleString('en-US');
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  const header = ['batch', 'requests', 'HTTP events/s', 'ceiling events/s', 'HTTP/ceiling', 'p50', 'p99'];
  const lines = rows.map((r) => [
    int(r.batchSize),
    int(r.requests),
    int(r.httpEventsPerSec),
    int(r.ceilingEventsPerSec),
    `${(r.ratio * 100).toFixed(1)}%`,
    ms(r.p50Ms),
    ms(r.p99Ms),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...lines.map(fmt)].join('\n');
}

const startedAt = new Date();
console.log(`ingest bench: ${concurrency} requests in flight, data in ${tmpBase}, ${os.cpus().length} CPUs, node ${process.version}`);
const rows: Row[] = [];
for (const plan of plans) {
  process.stdout.write(
    `  batch ${plan.batchSize}: ${plan.timedEvents.toLocaleString('en-US')} events after ${plan.warmupEvents.toLocaleString('en-US')} warm-up... `,
  );
  const row = await benchBatchSize(plan);
  rows.push(row);
  const others = (x: number | undefined) => (x === undefined ? 'n/a' : x.toFixed(2));
  console.log(
    `${Math.round(row.httpEventsPerSec).toLocaleString('en-US')} events/s (client used ${Math.round(row.clientCpuShare * 100)}% of a core; other processes ${others(row.othersCores.http)} cores during HTTP, ${others(row.othersCores.ceiling)} during the ceiling)`,
  );
  const cores = (x: number) => x.toFixed(2);
  const threads = row.serverThreads
    .filter((t) => t.user + t.system >= 0.01)
    .map((t) => `${t.name} ${cores(t.user)}+${cores(t.system)}`)
    .join(', ');
  console.log(
    `    server threads during HTTP, cores user+kernel: ${threads}; whole machine busy ${row.machineCores === undefined ? 'n/a' : cores(row.machineCores)} of ${os.cpus().length} cores; server RSS after it ${row.serverRssMb === undefined ? 'n/a' : `${row.serverRssMb.toFixed(0)} MB`}`,
  );
  const { idle, duringIngest } = row.reads;
  console.log(
    `    a dashboard read (${PROBE_PATH}): p50/p95 ${idle.p50Ms.toFixed(1)}/${idle.p95Ms.toFixed(1)} ms idle (${idle.reads} reads), ${duringIngest.p50Ms.toFixed(1)}/${duringIngest.p95Ms.toFixed(1)} ms during the HTTP phase (${duringIngest.reads}): p95 ${(duringIngest.p95Ms / idle.p95Ms).toFixed(2)}x idle`,
  );
}
console.log(`\n${concurrency} requests in flight; p50/p99 are HTTP request latencies\n${table(rows)}\n`);
const target = rows.find((r) => r.batchSize === TARGET.batchSize);
if (target) {
  const ok = target.httpEventsPerSec >= TARGET.eventsPerSec;
  console.log(`target: >= ${TARGET.eventsPerSec.toLocaleString('en-US')} events/s at batch ${TARGET.batchSize}: ${ok ? 'met' : 'NOT met'}`);
}

reportOthers(
  rows.flatMap((r) => [r.othersCores.http, r.othersCores.ceiling]),
  MAX_OTHERS_CORES,
);

fs.mkdirSync(resultsDir, { recursive: true });
const file = path.join(resultsDir, `ingest-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
const report = {
  startedAt: startedAt.toISOString(),
  git: gitInfo(),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
  cpus: { count: os.cpus().length, model: os.cpus()[0]?.model },
  concurrency,
  tmpBase,
  cpuProfDir,
  target: TARGET,
  plans,
  results: rows,
};
fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
console.log(`results written to ${path.relative(process.cwd(), file)}`);
if (cpuProfDir) console.log(`server CPU profiles in ${path.relative(process.cwd(), cpuProfDir)}`);
