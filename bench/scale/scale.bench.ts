/**
 * Scale-out figures, each as a ratio against a baseline measured in the same run (bench/README.md, "Scale-out"):
 * 1. ingest events/s on Postgres against SQLite (one instance each, batch 100, 8 requests in flight);
 * 2. event → WebSocket client p95 with 500 clients spread over 3 instances (Postgres + NATS) against 500 clients on
 *    one Postgres instance, at 100 events/s;
 * 3. the cost of the hop through NATS: in the 3-instance run, clients on the instance that ingested against clients
 *    on the other two.
 * Everything is on loopback; every phase prints the machine's load and is refused when others used > 0.5 core.
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { createTestDatabase, dropTestDatabase } from '../../tests/support/postgres.js';
import { createKey, startInstance, type ClusterEnv, type Instance } from '../../tests/cluster/instances.js';
import { envInt } from '../support/env.js';
import { percentile, runLoad } from '../support/http-load.js';
import { loadSummary, measuredWith, processesCpuMs, waitForQuiet } from '../support/machine-load.js';
import { batches } from '../support/workload.js';

const INGEST_EVENTS = envInt('BENCH_EVENTS', 20_000);
const CLIENTS = envInt('BENCH_CLIENTS', 500);
const RATE = envInt('BENCH_RATE', 100);
const DURATION_S = envInt('BENCH_DURATION_S', 20);
const MAX_OTHERS = 0.5;
const NATS_URL = process.env.BMAD_OPS_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

const fmt = (n: number, d = 1) => n.toFixed(d);
const SQLITE: ClusterEnv = { databaseUrl: '', natsUrl: '', stream: 'unused' };
const cleanups: (() => Promise<void>)[] = [];
const live: Instance[] = [];
/** The servers, Postgres and NATS work for the bench: their CPU is not "other processes". */
const ours = () =>
  processesCpuMs(
    live.filter((i) => i.proc.exitCode === null).map((i) => i.pid),
    ['postgres', 'nats-server'],
  );

function refuseIfNoisy(label: string, othersCores: number | undefined): void {
  const shown = othersCores === undefined ? 'unknown' : `${fmt(othersCores, 2)} cores`;
  process.stdout.write(`  ${label}: other processes used ${shown} while it ran (loadavg ${loadSummary().loadavg.join(' ')})\n`);
  if (othersCores !== undefined && othersCores > MAX_OTHERS)
    throw new Error(`${label}: the machine was busy (${shown} used by others): rerun on a quiet machine`);
}

async function database(): Promise<ClusterEnv> {
  const db = await createTestDatabase('bench');
  cleanups.push(() => dropTestDatabase(db.name));
  return { databaseUrl: db.url, natsUrl: NATS_URL, stream: `B${randomBytes(6).toString('hex')}` };
}

async function instance(env: ClusterEnv | null, extra: Record<string, string> = {}): Promise<Instance> {
  const base = { BMAD_OPS_INGEST_RATE_LIMIT: '100000', BMAD_OPS_WS_MAX_PER_PRINCIPAL: '1000', BMAD_OPS_WS_MAX_PER_ADDRESS: '1000', ...extra };
  const i = await startInstance(env ?? SQLITE, base);
  cleanups.push(() => i.stop());
  live.push(i);
  return i;
}

/** Phase 1: one instance on each backend, the same bodies. */
async function ingestPhase(): Promise<void> {
  process.stdout.write(`\n1. ingest, ${INGEST_EVENTS.toLocaleString('en-US')} events, batch 100, 8 in flight\n`);
  const bodies = batches(0, INGEST_EVENTS, 100).map((b) => ({ body: Buffer.from(JSON.stringify({ events: b })), events: b.length }));
  const warm = batches(10_000_000, 2_000, 100).map((b) => ({ body: Buffer.from(JSON.stringify({ events: b })), events: b.length }));
  const rates: Record<string, number> = {};
  for (const backend of ['sqlite', 'postgres'] as const) {
    const env = backend === 'postgres' ? await database() : null;
    const i = await instance(env ? { ...env, natsUrl: '' } : null);
    const key = await createKey(env ?? SQLITE, i.dataDir);
    await runLoad({ url: i.url, key }, warm, 8);
    await waitForQuiet(`ingest on ${backend}`, MAX_OTHERS);
    const run = await measuredWith(ours, () => runLoad({ url: i.url, key }, bodies, 8));
    rates[backend] = run.value.events / (run.value.elapsedMs / 1000);
    process.stdout.write(
      `  ${backend}: ${Math.round(rates[backend]!).toLocaleString('en-US')} events/s, request p95 ${fmt(percentile(run.value.latenciesMs, 95))} ms\n`,
    );
    refuseIfNoisy(`ingest on ${backend}`, run.othersCores);
    await i.stop();
  }
  process.stdout.write(`  ratio Postgres / SQLite: ${fmt(rates.postgres! / rates.sqlite!, 2)}\n`);
}

interface Swarm {
  latencies: number[][];
  close(): void;
}

/** `count` clients spread over the instances, each subscribed to workflows; latencies are collected per instance. */
async function swarm(instances: readonly Instance[], key: string, count: number, sentAt: Map<string, number>): Promise<Swarm> {
  const latencies: number[][] = instances.map(() => []);
  const sockets: WebSocket[] = [];
  // 50 at a time: the gateway refuses more than 200 sockets waiting to authenticate.
  const connectOne = async (n: number) => {
    const at = n % instances.length;
    const ws = new WebSocket(`${instances[at]!.url.replace(/^http/, 'ws')}/ws`);
    sockets.push(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.on('message', (data: Buffer) => {
        const text = data.toString('utf8');
        if (text.startsWith('{"type":"welcome"')) ws.send(JSON.stringify({ type: 'subscribe', topics: ['workflow'] }));
        else if (text.startsWith('{"type":"resync_complete"')) resolve();
        else if (text.startsWith('{"type":"event"')) {
          const m = /"entityId":"([^"]+)"/.exec(text);
          const sent = m ? sentAt.get(m[1]!) : undefined;
          if (sent !== undefined) latencies[at]!.push(performance.now() - sent);
        }
      });
      ws.once('open', () => ws.send(JSON.stringify({ type: 'auth', token: key })));
    });
  };
  for (let n = 0; n < count; n += 50) await Promise.all(Array.from({ length: Math.min(50, count - n) }, (_, k) => connectOne(n + k)));
  return { latencies, close: () => sockets.forEach((s) => s.terminate()) };
}

/** RATE events/s for DURATION_S into `target`, each request's send time noted per entity id. */
async function feed(target: Instance, key: string, sentAt: Map<string, number>, prefix: string): Promise<number> {
  const perTick = Math.max(1, Math.round(RATE / 10));
  let sent = 0;
  for (let tick = 0; tick < DURATION_S * 10; tick++) {
    const due = performance.now() + 100;
    const events = Array.from({ length: perTick }, (_, n) => ({
      id: `${prefix}-${tick}-${n}`,
      source: 'bench',
      type: 'workflow.upserted',
      occurredAt: new Date().toISOString(),
      entity: { type: 'workflow', id: `${prefix}-wf-${tick}-${n}` },
      payload: { name: `bench ${tick}`, status: 'queued' },
    }));
    const now = performance.now();
    for (const e of events) sentAt.set(e.entity.id, now);
    const r = await fetch(`${target.url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ events }),
    });
    if (r.status !== 200) throw new Error(`ingest answered ${r.status}: ${await r.text()}`);
    sent += events.length;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((res) => setTimeout(res, wait));
  }
  return sent;
}

async function fanoutRun(label: string, instances: readonly Instance[], key: string): Promise<number[][]> {
  const sentAt = new Map<string, number>();
  const s = await swarm(instances, key, CLIENTS, sentAt);
  await waitForQuiet(label, MAX_OTHERS);
  const run = await measuredWith(ours, async () => {
    const sent = await feed(instances[0]!, key, sentAt, `${label.replace(/\W/g, '')}${Date.now()}`);
    await new Promise((res) => setTimeout(res, 1_000));
    return sent;
  });
  s.close();
  const delivered = s.latencies.reduce((n, l) => n + l.length, 0);
  const all = s.latencies.flat().sort((a, b) => a - b);
  process.stdout.write(
    `  ${label}: ${delivered.toLocaleString('en-US')} of ${(run.value * CLIENTS).toLocaleString('en-US')} deliveries, p50 ${fmt(percentile(all, 50))} ms, p95 ${fmt(percentile(all, 95))} ms\n`,
  );
  refuseIfNoisy(label, run.othersCores);
  return s.latencies.map((l) => l.sort((a, b) => a - b));
}

/** Phases 2 and 3. */
async function fanoutPhase(): Promise<void> {
  process.stdout.write(`\n2. event → client, ${CLIENTS} clients, ${RATE} events/s for ${DURATION_S} s\n`);
  const single = await database();
  const one = await instance({ ...single, natsUrl: '' });
  const oneKey = await createKey(single, one.dataDir);
  const alone = (await fanoutRun('1 instance, 500 clients', [one], oneKey)).flat().sort((a, b) => a - b);
  await one.stop();

  const shared = await database();
  const three = [await instance(shared), await instance(shared), await instance(shared)];
  const key = await createKey(shared, three[0]!.dataDir);
  const spread = await fanoutRun('3 instances, 500 clients', three, key);
  const all = spread.flat().sort((a, b) => a - b);
  process.stdout.write(`  p95 ratio 3 instances / 1 instance: ${fmt(percentile(all, 95) / percentile(alone, 95), 2)}\n`);

  const local = spread[0]!;
  const remote = [...spread[1]!, ...spread[2]!].sort((a, b) => a - b);
  process.stdout.write(
    `\n3. the hop through NATS (same run): clients of the ingesting instance p50 ${fmt(percentile(local, 50))} / p95 ${fmt(percentile(local, 95))} ms; ` +
      `of the other two p50 ${fmt(percentile(remote, 50))} / p95 ${fmt(percentile(remote, 95))} ms; p50 hop ${fmt(percentile(remote, 50) - percentile(local, 50))} ms, ` +
      `ratio ${fmt(percentile(remote, 50) / percentile(local, 50), 2)}\n`,
  );
}

async function main(): Promise<void> {
  process.stdout.write(`bench:scale on ${loadSummary().cpus} cores, loadavg ${loadSummary().loadavg.join(' ')}\n`);
  try {
    await ingestPhase();
    await fanoutPhase();
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:scale: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
