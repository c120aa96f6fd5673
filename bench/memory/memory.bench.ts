/**
 * Server memory with a production-sized database and many idle dashboards: the server (its own process, 127.0.0.1)
 * opens a data directory holding 1 M cost and 200 k workflow events, answers the dashboard's heavy reads once (so its
 * SQLite page caches are as full as a working day leaves them), then holds BENCH_CLIENTS (2,000) idle WebSocket
 * clients, each signed in and subscribed. The server is the compiled build (dist/) under bare Node, as it ships.
 * Reported: resident memory (VmRSS) before, with and after the clients, and the bytes each idle connection costs (what
 * closing them gives back, over the count), beside the JS heap the server reports.
 *
 * Needs a loaded directory: `BENCH_KEEP=1 npm run bench:queries` keeps one and prints its path, then
 * `BENCH_DATA_DIR=<path> npm run bench:memory`. Bounded: it connects, waits, measures and stops.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { envInt } from '../support/env.js';
import { loadSummary, otherLoad } from '../support/machine-load.js';
import { startServerChild, stopServerChild } from '../support/server-child.js';

const CLIENTS = envInt('BENCH_CLIENTS', 2_000);
const IDLE_S = envInt('BENCH_IDLE_S', 15);
const TARGET_RSS_MB = 300;
const MAX_OTHERS_CORES = 0.5;

const dataDir = process.env.BENCH_DATA_DIR;
if (!dataDir || !fs.existsSync(path.join(dataDir, 'bench-key.txt'))) {
  console.error('bench:memory needs a loaded data directory: run `BENCH_KEEP=1 npm run bench:queries`, then BENCH_DATA_DIR=<the path it prints>.');
  process.exit(2);
}
const key = fs.readFileSync(path.join(dataDir, 'bench-key.txt'), 'utf8');
const events = (() => {
  const db = new Database(path.join(dataDir, 'bmad-ops.sqlite'), { readonly: true });
  try {
    return (db.prepare('select count(*) as n from domain_events').get() as { n: number }).n;
  } finally {
    db.close();
  }
})();

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const mb = (x: number) => `${x.toFixed(1)} MB`;

async function get(base: string, p: string): Promise<void> {
  const res = await fetch(new URL(p, base), { headers: { authorization: `Bearer ${key}` } });
  if (res.status !== 200) throw new Error(`GET ${p} answered ${res.status}`);
  await res.arrayBuffer();
}

/** An idle dashboard: signed in, subscribed, then silent (the server's heartbeat keeps it open). */
function connect(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, { perMessageDeflate: false });
    const timer = setTimeout(() => reject(new Error('no resync_complete within 30 s')), 30_000);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token: key })));
    ws.on('error', reject);
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString('utf8')) as { type: string; code?: string };
      if (m.type === 'welcome') ws.send(JSON.stringify({ type: 'subscribe', topics: ['workflow', 'story', 'cost', 'project'] }));
      else if (m.type === 'resync_complete') {
        clearTimeout(timer);
        resolve(ws);
      } else if (m.type === 'error') reject(new Error(`server error ${m.code}`));
    });
  });
}

const { child, hello } = await startServerChild(dataDir, { startTimeoutMs: 300_000, nodeFlags: ['--expose-gc'], build: true });
const pid = child.pid!;
const memoryLines: ((m: NodeJS.MemoryUsage) => void)[] = [];
createInterface({ input: child.stdout }).on('line', (line) => {
  if (line.startsWith('{"memory"')) memoryLines.shift()?.((JSON.parse(line) as { memory: NodeJS.MemoryUsage }).memory);
});
/** The server's memory right after a full collection: RSS from /proc, the heap from the server itself. */
async function collected(): Promise<{ rss: number; heapUsed: number; heapTotal: number; external: number }> {
  const usage = new Promise<NodeJS.MemoryUsage>((resolve) => memoryLines.push(resolve));
  process.kill(pid, 'SIGUSR2');
  const m = await usage;
  await new Promise((r) => setTimeout(r, 500));
  return { rss: rssMb(pid), heapUsed: m.heapUsed / 1048576, heapTotal: m.heapTotal / 1048576, external: (m.external + m.arrayBuffers) / 1048576 };
}
const clients: WebSocket[] = [];
try {
  const now = (JSON.parse(fs.readFileSync(path.join(dataDir, 'bench-now.json'), 'utf8')) as { now: number }).now;
  const iso = (ms: number) => new Date(ms).toISOString();
  const range = `start=${iso(now - 30 * 86_400_000)}&end=${iso(now)}`;
  const started = await collected();
  // The reads a working day makes, twice, so caches and lazily built structures are in place before measuring.
  for (let i = 0; i < 2; i++)
    for (const p of [
      '/api/v1/costs/summary?window=30d',
      '/api/v1/costs/summary?window=30d&groupBy=story',
      `/api/v1/costs/timeseries?bucket=day&tz=Asia%2FKolkata&${range}`,
      '/api/v1/kanban/board?projectId=p-big',
      `/api/v1/analytics/agents/trends?${range}`,
      '/api/v1/workflows?page=1&pageSize=50',
      '/api/v1/projects?page=1&pageSize=50',
    ])
      await get(hello.url, p);
  const warm = await collected();
  for (let i = 0; i < CLIENTS; i += 50) clients.push(...(await Promise.all(Array.from({ length: Math.min(50, CLIENTS - i) }, () => connect(hello.url)))));
  const others = await otherLoad(IDLE_S * 1000);
  const withClients = await collected();
  // Per connection: what closing them gives back. The difference to `warm` is no measure of it: connecting 2,000
  // clients churns the heap, and V8 and malloc then hold more (or, once idle, less) than the clients themselves use.
  for (const ws of clients.splice(0)) ws.close();
  await new Promise((r) => setTimeout(r, 3000));
  const closed = await collected();
  const perConnection = ((withClients.rss - closed.rss) * 1024 * 1024) / CLIENTS;
  const heapPerConnection = ((withClients.heapUsed - closed.heapUsed) * 1024 * 1024) / CLIENTS;
  console.log(`data: ${events.toLocaleString('en')} events in ${dataDir}`);
  const line = (label: string, m: typeof warm) =>
    console.log(`${label.padEnd(44)} RSS ${mb(m.rss)}, JS heap ${mb(m.heapUsed)} of ${mb(m.heapTotal)} held, buffers ${mb(m.external)}`);
  line('server after start (after a full GC)', started);
  line("after the dashboard's heavy reads", warm);
  line(`with ${CLIENTS} idle WebSocket clients`, withClients);
  line('after they closed', closed);
  console.log(
    `per idle connection (given back when it closed): ${(perConnection / 1024).toFixed(1)} KB of RSS, ${(heapPerConnection / 1024).toFixed(1)} KB of JS heap`,
  );
  console.log(`target: RSS <= ${TARGET_RSS_MB} MB with the clients: ${withClients.rss <= TARGET_RSS_MB ? 'met' : 'NOT met'}`);
  console.log(`other processes used ${others?.toFixed(2) ?? 'n/a'} cores while idle (load average ${loadSummary().loadavg.join(' ')})`);
  console.log('the server runs as it ships: dist/ under bare Node (no TypeScript loader), the rollup on its worker thread');
  if ((others ?? 0) > MAX_OTHERS_CORES) {
    console.log(`REFUSED: other processes used more than ${MAX_OTHERS_CORES} cores; rerun on a quiet machine.`);
    process.exitCode = 2;
  }
} finally {
  for (const ws of clients) ws.terminate();
  await stopServerChild(child, 30_000);
}
