/**
 * OTLP receiver throughput: Claude Code `api_request` log records per second accepted on POST /v1/logs (protobuf and
 * JSON, batches of 100 records), against the same costs sent as `cost.recorded` events to POST /api/v1/events in the
 * same run (the baseline). Each phase gets a fresh server process and data dir; the machine's load is sampled before
 * each timed phase and a disturbed run is said to be one.
 * Usage: npm run bench:otlp   (BENCH_OTLP_BATCHES=300 for a longer run)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { envInt } from '../support/env.js';
import { EVENTS_API, percentile, runLoad, type Endpoint, type LoadResult } from '../support/http-load.js';
import { otherLoad } from '../support/machine-load.js';
import { gitInfo } from '../support/run-info.js';
import { startServerChild, stopServerChild } from '../support/server-child.js';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const resultsDir = path.join(benchDir, '..', 'results');
const BATCH = 100;
const batches = envInt('BENCH_OTLP_BATCHES', 200);
const warmup = 20;
const concurrency = envInt('BENCH_CONCURRENCY', 4);

interface Codec {
  fromObject(o: object): object;
  encode(m: object): { finish(): Uint8Array };
  decode(b: Uint8Array): object;
  toObject(m: object, o: object): Record<string, unknown>;
}
const root = createRequire(import.meta.url)('@opentelemetry/otlp-transformer/build/src/generated/root.js') as {
  opentelemetry: { proto: { collector: { logs: { v1: Record<string, Codec> } } } };
};
const LogsRequest = root.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest!;
const LogsResponse = root.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse!;

const MODELS = ['claude-sonnet-4-5-20250929', 'claude-opus-4-5-20251101', 'claude-haiku-4-5-20251001'];
const base = Date.now() - 3 * 3600_000;

/** Request `i` of the run: a session of 50 requests, tokens and cost that differ request to request. */
function request(i: number) {
  return {
    session: `bench-session-${Math.floor(i / 50)}`,
    model: MODELS[i % 3]!,
    at: new Date(base + i * 137).toISOString(),
    cost: Number((0.001 + (i % 97) * 0.0003).toFixed(6)),
    input: 100 + (i % 1000),
    output: 50 + (i % 700),
    cacheRead: 5000 + i,
    seq: i,
  };
}

function otlpBody(first: number, encoding: 'protobuf' | 'json'): Buffer {
  const s = (key: string, v: string | number) => ({ key, value: { stringValue: String(v) } });
  const records = Array.from({ length: BATCH }, (_, k) => {
    const r = request(first + k);
    return {
      timeUnixNano: `${BigInt(Date.parse(r.at)) * 1_000_000n}`,
      body: { stringValue: 'claude_code.api_request' },
      attributes: [
        s('event.name', 'api_request'),
        s('event.timestamp', r.at),
        s('event.sequence', r.seq),
        s('session.id', r.session),
        s('prompt.id', `p-${r.seq}`),
        s('model', r.model),
        s('cost_usd', r.cost),
        s('duration_ms', 1800),
        s('input_tokens', r.input),
        s('output_tokens', r.output),
        s('cache_read_tokens', r.cacheRead),
        s('cache_creation_tokens', 0),
        s('skill.name', 'bmad-dev-story'),
      ],
    };
  });
  const message = {
    resourceLogs: [
      {
        resource: { attributes: [s('service.name', 'claude-code')] },
        scopeLogs: [{ scope: { name: 'com.anthropic.claude_code.events' }, logRecords: records }],
      },
    ],
  };
  return encoding === 'protobuf' ? Buffer.from(LogsRequest.encode(LogsRequest.fromObject(message)).finish()) : Buffer.from(JSON.stringify(message));
}

function apiBody(first: number): Buffer {
  const events = Array.from({ length: BATCH }, (_, k) => {
    const r = request(first + k);
    return {
      id: `bench-cost-${r.seq}`,
      source: 'bench',
      type: 'cost.recorded',
      occurredAt: r.at,
      entity: { type: 'cost', id: `bench-cost-${r.seq}` },
      payload: {
        amount: r.cost,
        currency: 'USD',
        model: r.model,
        tokens: { input: r.input, output: r.output, cacheRead: r.cacheRead, cacheWrite: 0 },
        sessionId: r.session,
        skill: 'bmad-dev-story',
        workflow: 'dev-story',
        agentId: 'bmad-agent-dev',
        durationMs: 1800,
        via: 'api',
      },
    };
  });
  return Buffer.from(JSON.stringify({ events }));
}

const otlpEndpoint = (encoding: 'protobuf' | 'json'): Endpoint => ({
  path: '/v1/logs',
  contentType: encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json',
  check(status, body) {
    if (status !== 200) return `OTLP returned HTTP ${status}: ${body.toString('utf8').slice(0, 300)}`;
    const answer =
      encoding === 'protobuf' ? LogsResponse.toObject(LogsResponse.decode(body), {}) : (JSON.parse(body.toString('utf8')) as Record<string, unknown>);
    return Object.keys(answer).length === 0 ? null : `OTLP answered a partial success: ${JSON.stringify(answer).slice(0, 300)}`;
  },
});

interface Phase {
  name: string;
  result: LoadResult;
  eventsPerSec: number;
  otherCores: number | undefined;
}

async function phase(name: string, bodyOf: (first: number) => Buffer, endpoint: Endpoint): Promise<Phase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bmad-ops-bench-otlp-'));
  const { child, hello } = await startServerChild(dataDir, { startTimeoutMs: 30_000 });
  try {
    const warm = Array.from({ length: warmup }, (_, b) => ({ body: bodyOf(1_000_000 + b * BATCH), events: BATCH }));
    const timed = Array.from({ length: batches }, (_, b) => ({ body: bodyOf(b * BATCH), events: BATCH }));
    await runLoad(hello, warm, concurrency, endpoint);
    const otherCores = await otherLoad();
    const result = await runLoad(hello, timed, concurrency, endpoint);
    return { name, result, eventsPerSec: result.events / (result.elapsedMs / 1000), otherCores };
  } finally {
    await stopServerChild(child, 20_000);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const startedAt = new Date();
console.log(
  `otlp bench: ${batches} batches of ${BATCH} records (after ${warmup} warm-up), ${concurrency} in flight, ${os.cpus().length} CPUs, node ${process.version}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const phases: Phase[] = [];
for (const [name, bodyOf, endpoint] of [
  ['events API (JSON, baseline)', apiBody, EVENTS_API],
  ['OTLP /v1/logs protobuf', (f: number) => otlpBody(f, 'protobuf'), otlpEndpoint('protobuf')],
  ['OTLP /v1/logs JSON', (f: number) => otlpBody(f, 'json'), otlpEndpoint('json')],
] as const) {
  const p = await phase(name, bodyOf, endpoint);
  phases.push(p);
  console.log(
    `  ${name.padEnd(28)} ${Math.round(p.eventsPerSec).toLocaleString('en-US').padStart(7)} records/s  p50 ${percentile(p.result.latenciesMs, 50).toFixed(1)} ms  p95 ${percentile(p.result.latenciesMs, 95).toFixed(1)} ms  (others used ${p.otherCores?.toFixed(2) ?? '?'} cores)`,
  );
}
const baseline = phases[0]!.eventsPerSec;
for (const p of phases.slice(1)) console.log(`  ${p.name}: ${(p.eventsPerSec / baseline).toFixed(2)}× the events API`);
const disturbed = phases.some((p) => (p.otherCores ?? 0) > 0.5);
if (disturbed) console.log('  the machine was busy during a timed phase: rerun before reporting these figures');
fs.mkdirSync(resultsDir, { recursive: true });
const file = path.join(resultsDir, `otlp-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(
  file,
  `${JSON.stringify({ startedAt, git: gitInfo(), node: process.version, cpus: os.cpus().length, batches, batchSize: BATCH, concurrency, phases: phases.map((p) => ({ name: p.name, eventsPerSec: p.eventsPerSec, p50Ms: percentile(p.result.latenciesMs, 50), p95Ms: percentile(p.result.latenciesMs, 95), otherCores: p.otherCores })), disturbed }, null, 2)}\n`,
);
console.log(`results written to ${path.relative(process.cwd(), file)}`);
