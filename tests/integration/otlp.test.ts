import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { AggregationTemporalityPreference, OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectUpserted, storyUpserted } from '../support/events.js';
import { openTestDb } from '../support/test-db.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Claude Code's telemetry sent with the OpenTelemetry JS SDK's own exporters, configured as the README says (the
 * server's URL + /v1/logs and /v1/metrics, the ingest key as a Bearer header), using Claude Code's event and metric
 * names and attributes.
 */

const generated = createRequire(import.meta.url)('@opentelemetry/otlp-transformer/build/src/generated/root.js') as {
  opentelemetry: {
    proto: {
      collector: Record<
        'metrics' | 'logs',
        {
          v1: Record<
            string,
            {
              fromObject(o: object): object;
              encode(m: object): { finish(): Uint8Array };
              decode(b: Uint8Array): object;
              toObject(m: object, o: object): Record<string, unknown>;
            }
          >;
        }
      >;
    };
  };
};
const MetricsRequest = generated.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest!;
const MetricsResponse = generated.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse!;
const LogsRequest = generated.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest!;

let t: TestServer;
let boundKey: string;
const PROJECT = 'bmad:streakly';
const STORY = 'bmad:streakly:story:1-2-login';

beforeAll(async () => {
  t = await startTestServer();
  expect((await t.ingest([projectUpserted(PROJECT, { name: 'Streakly' }), storyUpserted(STORY, PROJECT, { title: 'Login' })])).status).toBe(200);
  boundKey = (await t.server.core.auth.createApiKey('laptop otel', ['ingest'], { actorType: 'system', actorId: null }, { projectId: PROJECT })).key;
});
afterAll(async () => {
  await t.close();
});

async function db<T>(query: string, ...params: unknown[]): Promise<T[]> {
  const d = openTestDb(t.dataDir, { readonly: true });
  try {
    return await d.all<T>(query, ...params);
  } finally {
    await d.close();
  }
}
const costOf = async (session: string) =>
  (
    await db<{ amount: number | null; n: number; input: number | null; via: string }>(
      `select round(cast(sum(cost_amount) as numeric), 9) as amount, count(*) as n, sum(input_tokens) as input, string_agg(via, ',') as via from cost_events where session_id = ? or session_id like ?`,
      session,
      `${session}/%`,
    )
  )[0]!;

const resource = (extra: Record<string, string> = {}) => resourceFromAttributes({ 'service.name': 'claude-code', 'service.version': '2.1.0', ...extra });

/** A Claude Code `api_request` event as it logs it: body is the event name, numbers as strings. */
function apiRequest(
  session: string,
  p: {
    model: string;
    cost: number;
    input: number;
    output: number;
    cacheRead?: number;
    cacheCreation?: number;
    at: Date;
    seq: number;
    skill?: string;
    requestId?: string;
    story?: string;
  },
) {
  return {
    body: 'claude_code.api_request',
    timestamp: p.at,
    attributes: {
      'event.name': 'api_request',
      'event.timestamp': p.at.toISOString(),
      'event.sequence': p.seq,
      'session.id': session,
      'prompt.id': `prompt-${p.seq}`,
      'user.email': 'dev@example.com',
      model: p.model,
      cost_usd: String(p.cost),
      duration_ms: '1840',
      input_tokens: String(p.input),
      output_tokens: String(p.output),
      cache_read_tokens: String(p.cacheRead ?? 0),
      cache_creation_tokens: String(p.cacheCreation ?? 0),
      query_source: 'main',
      ...(p.skill ? { 'skill.name': p.skill } : {}),
      ...(p.requestId ? { request_id: p.requestId } : {}),
      ...(p.story ? { 'bmad.story': p.story } : {}),
    },
  };
}

async function sendLogs(kind: 'proto' | 'json', key: string, records: ReturnType<typeof apiRequest>[], res = resource(), gzip = false) {
  const options = { url: `${t.url}/v1/logs`, headers: { Authorization: `Bearer ${key}` }, ...(gzip ? { compression: CompressionAlgorithm.GZIP } : {}) };
  const exporter = kind === 'proto' ? new ProtoLogExporter(options) : new JsonLogExporter(options);
  const provider = new LoggerProvider({ resource: res, processors: [new BatchLogRecordProcessor({ exporter })] });
  const logger = provider.getLogger('com.anthropic.claude_code.events', '2.1.0');
  for (const r of records) logger.emit(r);
  await provider.forceFlush();
  await provider.shutdown();
}

async function sendMetrics(
  kind: 'proto' | 'json',
  temporality: 'delta' | 'cumulative',
  key: string,
  record: (meter: ReturnType<MeterProvider['getMeter']>) => void,
  res = resource(),
  gzip = false,
) {
  const options = {
    url: `${t.url}/v1/metrics`,
    headers: { Authorization: `Bearer ${key}` },
    temporalityPreference: temporality === 'delta' ? AggregationTemporalityPreference.DELTA : AggregationTemporalityPreference.CUMULATIVE,
    ...(gzip ? { compression: CompressionAlgorithm.GZIP } : {}),
  };
  const exporter = kind === 'proto' ? new ProtoMetricExporter(options) : new JsonMetricExporter(options);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ resource: res, readers: [reader] });
  record(provider.getMeter('com.anthropic.claude_code', '2.1.0'));
  await reader.forceFlush();
  return { provider, reader, flush: () => reader.forceFlush(), shutdown: () => provider.shutdown() };
}

/** A body sent as is (the test server's helper sends JSON). */
const postRaw = (p: string, body: Buffer | string, key: string | null, headers: Record<string, string>) =>
  fetch(`${t.url}${p}`, { method: 'POST', headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers }, body });

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

describe('OTLP logs: claude_code.api_request', () => {
  it('lands exact costs from the protobuf exporter (gzip), attributed by the key, skill and bmad.story', async () => {
    await sendLogs(
      'proto',
      boundKey,
      [
        apiRequest('sess-log-1', {
          model: 'claude-sonnet-4-5-20250929',
          cost: 0.0123,
          input: 1200,
          output: 340,
          cacheRead: 5000,
          at: minutesAgo(30),
          seq: 1,
          skill: 'bmad-dev-story',
          story: '1-2-login',
        }),
        apiRequest('sess-log-1', {
          model: 'claude-sonnet-4-5-20250929',
          cost: 0.0456,
          input: 80,
          output: 900,
          cacheCreation: 2000,
          at: minutesAgo(29),
          seq: 2,
          skill: 'bmad-dev-story',
          story: '1-2-login',
        }),
      ],
      resource(),
      true,
    );
    const rows = await db<{
      cost_amount: number;
      project_id: string;
      story_id: string;
      agent_id: string;
      workflow_name: string;
      skill: string;
      via: string;
      input_tokens: number;
      cache_write_tokens: number;
    }>(`select * from cost_events where session_id = 'sess-log-1' order by occurred_at_utc`);
    expect(rows.map((r) => r.cost_amount)).toEqual([0.0123, 0.0456]);
    expect(
      rows.every(
        (r) =>
          r.project_id === PROJECT &&
          r.story_id === STORY &&
          r.agent_id === 'bmad-agent-dev' &&
          r.workflow_name === 'dev-story' &&
          r.skill === 'bmad-dev-story' &&
          r.via === 'otlp_event',
      ),
    ).toBe(true);
    expect(rows.map((r) => [r.input_tokens, r.cache_write_tokens])).toEqual([
      [1200, 0],
      [80, 2000],
    ]);
    // No user e-mail is stored anywhere in the event log.
    expect((await db<{ n: number }>(`select count(*) as n from domain_events where payload_json like '%dev@example.com%'`))[0]!.n).toBe(0);
  });

  it("an exporter configured only by the README's environment variables lands its cost", async () => {
    const saved = { endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT, headers: process.env.OTEL_EXPORTER_OTLP_HEADERS };
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = t.url;
    process.env.OTEL_EXPORTER_OTLP_HEADERS = `Authorization=Bearer ${boundKey}`;
    try {
      const provider = new LoggerProvider({ resource: resource(), processors: [new BatchLogRecordProcessor({ exporter: new ProtoLogExporter() })] });
      provider
        .getLogger('com.anthropic.claude_code.events')
        .emit(apiRequest('sess-env', { model: 'claude-haiku-4-5-20251001', cost: 0.0042, input: 10, output: 10, at: minutesAgo(1), seq: 1 }));
      await provider.shutdown();
    } finally {
      for (const [k, v] of [
        ['OTEL_EXPORTER_OTLP_ENDPOINT', saved.endpoint],
        ['OTEL_EXPORTER_OTLP_HEADERS', saved.headers],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    expect(await costOf('sess-env')).toMatchObject({ n: 1, amount: 0.0042 });
  });

  it('lands costs from the JSON exporter, with the project from bmad.project; a retried export is not a second cost', async () => {
    const records = [
      apiRequest('sess-json-1', {
        model: 'claude-opus-4-5-20251101',
        cost: 0.5,
        input: 10,
        output: 20,
        at: minutesAgo(20),
        seq: 7,
        skill: '/bmad:bmm:workflows:create-prd',
      }),
    ];
    await sendLogs('json', t.keys.ingest, records, resource({ 'bmad.project': 'streakly' }));
    await sendLogs('json', t.keys.ingest, records, resource({ 'bmad.project': 'streakly' }));
    const rows = await db<{ cost_amount: number; project_id: string; workflow_name: string; agent_id: string }>(
      `select * from cost_events where session_id = 'sess-json-1'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ cost_amount: 0.5, project_id: PROJECT, workflow_name: 'create-prd', agent_id: 'bmad-agent-pm' });
  });

  it('the same request from a transcript line and an api_request event is one cost, whichever came first', async () => {
    const at = minutesAgo(15);
    // The transcript path (what the transcript importer sends), with the request id the OTLP event does not carry.
    const transcript = {
      id: 'claude-test-dedup-1',
      source: 'claude-code-importer',
      type: 'cost.recorded',
      occurredAt: new Date(at.getTime() - 1500).toISOString(),
      entity: { type: 'cost', id: 'claude-cost-dedup-1' },
      payload: {
        model: 'claude-sonnet-4-5-20250929',
        tokens: { input: 321, output: 654, cacheWrite: 0, cacheRead: 9876 },
        requestId: 'req_dedup_1',
        sessionId: 'sess-dedup',
        via: 'transcript',
      },
    };
    expect((await t.ingest([transcript])).status).toBe(200);
    await sendLogs('proto', boundKey, [
      apiRequest('sess-dedup', { model: 'claude-sonnet-4-5-20250929', cost: 0.02, input: 321, output: 654, cacheRead: 9876, at, seq: 3 }),
    ]);
    expect(await costOf('sess-dedup')).toMatchObject({ n: 1, via: 'transcript' });

    // The other order: the OTLP event first, then a sub-agent's transcript line of the same request.
    await sendLogs('proto', boundKey, [
      apiRequest('sess-dedup-2', { model: 'claude-haiku-4-5-20251001', cost: 0.001, input: 5, output: 6, cacheRead: 7, at, seq: 1 }),
    ]);
    const line = {
      ...transcript,
      id: 'claude-test-dedup-2',
      entity: { type: 'cost', id: 'claude-cost-dedup-2' },
      payload: {
        ...transcript.payload,
        model: 'claude-haiku-4-5-20251001',
        tokens: { input: 5, output: 6, cacheWrite: 0, cacheRead: 7 },
        requestId: 'req_dedup_2',
        sessionId: 'sess-dedup-2/agent-a1',
      },
    };
    expect((await t.ingest([line])).status).toBe(200);
    expect(await costOf('sess-dedup-2')).toMatchObject({ n: 1, amount: 0.001, via: 'otlp_event' });
    // A different request of that session with other token counts is its own cost.
    await sendLogs('proto', boundKey, [
      apiRequest('sess-dedup-2', { model: 'claude-haiku-4-5-20251001', cost: 0.002, input: 5, output: 60, cacheRead: 7, at, seq: 2 }),
    ]);
    expect(await costOf('sess-dedup-2')).toMatchObject({ n: 2, amount: 0.003 });
  });

  it('a session that ran a BMAD workflow becomes a run with its cost; one that ended on API errors failed', async () => {
    await sendLogs('proto', boundKey, [
      apiRequest('sess-run-1', {
        model: 'claude-sonnet-4-5-20250929',
        cost: 0.2,
        input: 10,
        output: 10,
        at: minutesAgo(55),
        seq: 1,
        skill: 'bmad-create-story',
      }),
      apiRequest('sess-run-1', {
        model: 'claude-sonnet-4-5-20250929',
        cost: 0.3,
        input: 11,
        output: 10,
        at: minutesAgo(52),
        seq: 2,
        skill: 'bmad-create-story',
      }),
      {
        body: 'claude_code.api_error',
        timestamp: minutesAgo(51),
        attributes: {
          'event.name': 'api_error',
          'event.timestamp': minutesAgo(51).toISOString(),
          'session.id': 'sess-run-1',
          'skill.name': 'bmad-create-story',
          model: 'claude-sonnet-4-5-20250929',
          error: 'overloaded',
          status_code: '529',
        },
      },
    ] as never);
    // Anything that arrives drains runs idle for 30 minutes (the server also checks once a minute).
    await sendLogs('proto', boundKey, [
      apiRequest('sess-run-2', { model: 'claude-sonnet-4-5-20250929', cost: 0.01, input: 1, output: 1, at: minutesAgo(1), seq: 1 }),
    ]);
    const res = await t.get(`/api/v1/workflows?projectId=${encodeURIComponent(PROJECT)}&pageSize=100`, t.keys.read);
    const items = (
      (await res.json()) as {
        items: { name: string; status: string; agentId: string | null; cost: { totals: { currency: string; amount: number }[]; requests: number } | null }[];
      }
    ).items;
    const run = items.filter((w) => w.name.startsWith('create-story'));
    expect(run).toHaveLength(1);
    expect(run[0]).toMatchObject({ status: 'failed', agentId: 'bmad-agent-sm', cost: { totals: [{ currency: 'USD', amount: 0.5 }], requests: 2 } });
  });

  it('counts api_error events and ignores the events that carry no cost', async () => {
    const before = await t.get('/metrics', t.keys.metrics).then((r) => r.text());
    const countOf = (text: string, outcome: string) =>
      Number(new RegExp(`otlp_records_total\\{signal="logs",outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    await sendLogs('proto', boundKey, [
      {
        body: 'claude_code.api_error',
        timestamp: new Date(),
        attributes: { 'event.name': 'api_error', 'session.id': 's-err', model: 'claude-sonnet-4-5', error: 'overloaded', status_code: '529', attempt: '1' },
      },
      { body: 'claude_code.user_prompt', timestamp: new Date(), attributes: { 'event.name': 'user_prompt', 'session.id': 's-err', prompt_length: '42' } },
    ] as never);
    const after = await t.get('/metrics', t.keys.metrics).then((r) => r.text());
    expect(countOf(after, 'api_error') - countOf(before, 'api_error')).toBe(1);
    expect(countOf(after, 'ignored') - countOf(before, 'ignored')).toBe(1);
  });
});

describe('OTLP metrics: claude_code.cost.usage and claude_code.token.usage', () => {
  it('a delta metric alone becomes the session cost (protobuf, gzip), tokens included', async () => {
    const m = await sendMetrics(
      'proto',
      'delta',
      boundKey,
      (meter) => {
        const cost = meter.createCounter('claude_code.cost.usage', { unit: 'USD' });
        const tokens = meter.createCounter('claude_code.token.usage', { unit: 'tokens' });
        cost.add(0.3, { 'session.id': 'sess-metric-1', model: 'claude-sonnet-4-5-20250929' });
        tokens.add(1000, { 'session.id': 'sess-metric-1', model: 'claude-sonnet-4-5-20250929', type: 'input' });
        tokens.add(200, { 'session.id': 'sess-metric-1', model: 'claude-sonnet-4-5-20250929', type: 'output' });
      },
      resource(),
      true,
    );
    expect(await costOf('sess-metric-1')).toMatchObject({ n: 1, amount: 0.3, input: 1000, via: 'otlp_metric' });
    // The next export window adds to it.
    const cost = m.provider.getMeter('com.anthropic.claude_code', '2.1.0').createCounter('claude_code.cost.usage', { unit: 'USD' });
    cost.add(0.2, { 'session.id': 'sess-metric-1', model: 'claude-sonnet-4-5-20250929' });
    await m.flush();
    await m.shutdown();
    expect(await costOf('sess-metric-1')).toMatchObject({ n: 1, amount: 0.5 });
  });

  it('counts a request once when it arrives as an api_request event and in cost.usage: the metric adds only the rest', async () => {
    await sendLogs('proto', boundKey, [
      apiRequest('sess-both', { model: 'claude-sonnet-4-5-20250929', cost: 0.1, input: 100, output: 10, at: minutesAgo(5), seq: 1 }),
    ]);
    const m = await sendMetrics('json', 'cumulative', boundKey, (meter) => {
      meter.createCounter('claude_code.cost.usage').add(0.1, { 'session.id': 'sess-both', model: 'claude-sonnet-4-5-20250929' });
    });
    expect(await costOf('sess-both')).toMatchObject({ n: 1, amount: 0.1, via: 'otlp_event' });
    // A second request: the metric (cumulative, so 0.25 in all) arrives before its event; then the event itemizes it.
    const counter = m.provider.getMeter('com.anthropic.claude_code', '2.1.0').createCounter('claude_code.cost.usage');
    counter.add(0.15, { 'session.id': 'sess-both', model: 'claude-sonnet-4-5-20250929' });
    await m.flush();
    expect(await costOf('sess-both')).toMatchObject({ n: 2, amount: 0.25 });
    await sendLogs('proto', boundKey, [
      apiRequest('sess-both', { model: 'claude-sonnet-4-5-20250929', cost: 0.15, input: 150, output: 15, at: minutesAgo(4), seq: 2 }),
    ]);
    expect(await costOf('sess-both')).toMatchObject({ n: 2, amount: 0.25, via: 'otlp_event,otlp_event' });
    await m.shutdown();
    // The cost API agrees with the table: the project's total includes each request once.
    const summary = (await (await t.get(`/api/v1/costs/summary?projectId=${encodeURIComponent(PROJECT)}&window=24h`, t.keys.read)).json()) as {
      start: string;
      totals: { currency: string; amount: number }[];
    };
    const inTable = (
      await db<{ amount: number }>(
        `select round(cast(sum(cost_amount) as numeric), 9) as amount from cost_events where project_id = ? and occurred_at_utc >= ?`,
        PROJECT,
        summary.start,
      )
    )[0]!.amount;
    expect(summary.totals).toEqual([expect.objectContaining({ currency: 'USD', amount: expect.closeTo(inTable, 9) })]);
  });

  it('a cumulative series that restarts (new start time) or resets is never negative and never double counted', async () => {
    const send = async (start: bigint, time: bigint, value: number) => {
      const body = MetricsRequest.encode(
        MetricsRequest.fromObject({
          resourceMetrics: [
            {
              resource: { attributes: [{ key: 'service.name', value: { stringValue: 'claude-code' } }] },
              scopeMetrics: [
                {
                  metrics: [
                    {
                      name: 'claude_code.cost.usage',
                      unit: 'USD',
                      sum: {
                        aggregationTemporality: 2,
                        isMonotonic: true,
                        dataPoints: [
                          {
                            startTimeUnixNano: String(start),
                            timeUnixNano: String(time),
                            asDouble: value,
                            attributes: [
                              { key: 'session.id', value: { stringValue: 'sess-restart' } },
                              { key: 'model', value: { stringValue: 'claude-sonnet-4-5-20250929' } },
                            ],
                          },
                        ],
                      },
                    },
                  ],
                },
              ],
            },
          ],
        }),
      ).finish();
      const res = await postRaw('/v1/metrics', Buffer.from(body), boundKey, { 'content-type': 'application/x-protobuf' });
      expect(res.status).toBe(200);
    };
    const ns = (d: Date) => BigInt(d.getTime()) * 1_000_000n;
    const t0 = ns(minutesAgo(50));
    await send(t0, t0 + 60_000_000_000n, 1);
    await send(t0, t0 + 120_000_000_000n, 3);
    await send(t0, t0 + 60_000_000_000n, 1); // a retried old export: stale
    expect((await costOf('sess-restart')).amount).toBe(3);
    const t1 = ns(minutesAgo(40));
    await send(t1, t1 + 60_000_000_000n, 0.5); // the sender restarted: a new series from 0
    expect((await costOf('sess-restart')).amount).toBe(3.5);
    await send(t1, t1 + 120_000_000_000n, 0.2); // lower with the same start: a reset the sender did not announce
    expect((await costOf('sess-restart')).amount).toBe(3.7);
  });

  it('ignores and counts unknown metrics and points without a session', async () => {
    const text = () => t.get('/metrics', t.keys.metrics).then((r) => r.text());
    const ignored = (s: string) => Number(/otlp_records_total\{signal="metrics",outcome="ignored"\} (\d+)/.exec(s)?.[1] ?? 0);
    const before = ignored(await text());
    const m = await sendMetrics('proto', 'delta', boundKey, (meter) => {
      meter.createCounter('claude_code.lines_of_code.count').add(12, { 'session.id': 's-x', type: 'added' });
      meter.createCounter('some.other.metric').add(1);
      meter.createCounter('claude_code.cost.usage').add(0.4, { model: 'claude-sonnet-4-5-20250929' });
    });
    await m.shutdown();
    expect(ignored(await text()) - before).toBe(3);
    expect((await db<{ n: number }>(`select count(*) as n from cost_events where cost_amount = 0.4`))[0]!.n).toBe(0);
  });
});

describe('OTLP answers', () => {
  const logsBody = (attrs: Record<string, string>, resourceAttrs: Record<string, string> = {}) =>
    LogsRequest.fromObject({
      resourceLogs: [
        {
          resource: { attributes: Object.entries(resourceAttrs).map(([key, v]) => ({ key, value: { stringValue: v } })) },
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
                  body: { stringValue: 'claude_code.api_request' },
                  attributes: Object.entries(attrs).map(([key, v]) => ({ key, value: { stringValue: v } })),
                },
              ],
            },
          ],
        },
      ],
    });
  const proto = (m: object) => Buffer.from(LogsRequest.encode(m).finish());
  const post = (p: string, body: Buffer | string, key: string | null, headers: Record<string, string>) => postRaw(p, body, key, headers);

  it('partial_success names what was rejected: a key bound to one project sending for another, a request without a model', async () => {
    const res = await post(
      '/v1/logs',
      JSON.stringify({
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'bmad.project', value: { stringValue: 'elsewhere' } }] },
            scopeLogs: [
              {
                logRecords: [
                  {
                    body: { stringValue: 'claude_code.api_request' },
                    attributes: [
                      { key: 'model', value: { stringValue: 'm' } },
                      { key: 'cost_usd', value: { stringValue: '1' } },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      }),
      boundKey,
      { 'content-type': 'application/json' },
    );
    expect(res.status).toBe(200);
    const json = (await res.json()) as { partialSuccess: { rejectedLogRecords: string; errorMessage: string } };
    expect(json.partialSuccess.rejectedLogRecords).toBe('1');
    expect(json.partialSuccess.errorMessage).toContain(`sends for project ${PROJECT} only`);

    const bin = await post('/v1/logs', proto(logsBody({ 'session.id': 's', cost_usd: '0.1' })), boundKey, { 'content-type': 'application/x-protobuf' });
    expect(bin.status).toBe(200);
    expect(bin.headers.get('content-type')).toContain('application/x-protobuf');
    const decoded = generated.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse!.toObject(
      generated.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse!.decode(new Uint8Array(await bin.arrayBuffer())),
      { longs: String },
    );
    expect(decoded).toMatchObject({ partialSuccess: { rejectedLogRecords: '1', errorMessage: expect.stringContaining('without a model') } });
  });

  it("a key bound to a project cannot send another project's events through the events API either", async () => {
    const res = await t.post(
      '/api/v1/events',
      { events: [projectUpserted('bmad:other', { name: 'Other' }), storyUpserted('bmad:streakly:story:9-9', PROJECT, { title: 'Nine' })] },
      boundKey,
    );
    expect(res.status).toBe(207);
    const body = (await res.json()) as { results: { status: string; code?: string }[] };
    expect(body.results.map((r) => r.code ?? r.status)).toEqual(['project_not_allowed', 'accepted']);
  });

  it('a full success is an empty response', async () => {
    const res = await post('/v1/metrics', Buffer.from(MetricsRequest.encode(MetricsRequest.fromObject({ resourceMetrics: [] })).finish()), boundKey, {
      'content-type': 'application/x-protobuf',
    });
    expect(res.status).toBe(200);
    expect(MetricsResponse.toObject(MetricsResponse.decode(new Uint8Array(await res.arrayBuffer())), {})).toEqual({});
  });

  it('400 for a truncated protobuf body and for JSON that is not an export request', async () => {
    const full = proto(logsBody({ 'session.id': 's', model: 'claude-sonnet-4-5', cost_usd: '0.1' }));
    const res = await post('/v1/logs', full.subarray(0, full.length - 7), boundKey, { 'content-type': 'application/x-protobuf' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/x-protobuf');
    const bad = await post('/v1/metrics', '{"resourceMetrics": "nope"}', boundKey, { 'content-type': 'application/json' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/resourceMetrics: array expected/);
    expect((await post('/v1/logs', '{not json', boundKey, { 'content-type': 'application/json' })).status).toBe(400);
  });

  it('415 for a wrong content type or content encoding', async () => {
    expect((await post('/v1/logs', 'hello', boundKey, { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post('/v1/logs', '{}', boundKey, { 'content-type': 'application/json', 'content-encoding': 'compress' })).status).toBe(415);
  });

  it('413 for a 5 MB body and for a gzip bomb, before anything is stored', async () => {
    const big = await post('/v1/logs', Buffer.alloc(5 * 1024 * 1024, 1), boundKey, { 'content-type': 'application/x-protobuf' });
    expect(big.status).toBe(413);
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024, 0));
    expect(bomb.length).toBeLessThan(100 * 1024);
    const res = await post('/v1/metrics', bomb, boundKey, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
  });

  it('401 without a key or with a wrong one, 403 for a key without the ingest scope', async () => {
    const body = JSON.stringify({ resourceLogs: [] });
    const none = await post('/v1/logs', body, null, { 'content-type': 'application/json' });
    expect(none.status).toBe(401);
    expect((await post('/v1/logs', body, 'bmo_nope_nope', { 'content-type': 'application/json' })).status).toBe(401);
    const read = await post('/v1/metrics', body, t.keys.read, { 'content-type': 'application/json' });
    expect(read.status).toBe(403);
    expect(((await read.json()) as { code: number }).code).toBe(7);
  });
});
