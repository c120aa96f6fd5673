import fs from 'node:fs';
import { testBackend } from '../support/postgres.js';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/server/observability/logger.js';
import { tracesExporterFromEnv } from '../../src/server/observability/tracing-sdk.js';
import { tracingEnabled } from '../../src/server/observability/tracing.js';
import { projectUpserted } from '../support/events.js';
import { startTestServer, tempDir, type TestServer } from '../support/test-server.js';
import { until } from '../support/wait.js';
import { TestWsClient } from '../support/ws-client.js';

/** A caller's W3C trace context: the server span must continue it. */
const CALLER = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };
const TRACEPARENT = `00-${CALLER.traceId}-${CALLER.spanId}-01`;

/** An info-level logger whose JSON lines a test can read. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { logger, lines };
}

const ingestLogLine = (lines: Record<string, unknown>[]) =>
  lines.find((l) => (l.req as { url?: string } | undefined)?.url === '/api/v1/events' && l.msg === 'request completed');

/** Whatever a test started is stopped, even when an assertion failed half way. */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  vi.unstubAllEnvs();
});

/** Stops the server once, whether the test closes it itself or the cleanup does. */
function closing(t: TestServer): () => Promise<void> {
  let done: Promise<void> | undefined;
  const close = () => (done ??= t.close());
  cleanups.push(close);
  return close;
}

function withoutOtelEnv(): void {
  for (const k of Object.keys(process.env)) if (k.startsWith('OTEL_')) vi.stubEnv(k, undefined);
}

describe('which exporter the OTEL_* variables ask for', () => {
  it('none without a variable, OTLP for an endpoint, and what OTEL_TRACES_EXPORTER / OTEL_SDK_DISABLED say', () => {
    expect(tracesExporterFromEnv({}).kind).toBeNull();
    expect(tracesExporterFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).kind).toBe('otlp');
    expect(tracesExporterFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }).kind).toBe('otlp');
    expect(tracesExporterFromEnv({ OTEL_TRACES_EXPORTER: 'otlp' }).kind).toBe('otlp');
    expect(tracesExporterFromEnv({ OTEL_TRACES_EXPORTER: 'console' }).kind).toBe('console');
    expect(tracesExporterFromEnv({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).kind).toBeNull();
    expect(tracesExporterFromEnv({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).kind).toBeNull();
    expect(tracesExporterFromEnv({ OTEL_TRACES_EXPORTER: 'zipkin' })).toEqual({ kind: null, unsupported: ['zipkin'] });
  });
});

describe('traces', () => {
  it('are off with no OTEL_* variable: no SDK registered, no span, log lines without trace ids', async () => {
    withoutOtelEnv();
    const { logger, lines } = capturedLogger();
    const t = await startTestServer({ logger });
    closing(t);
    expect(tracingEnabled()).toBe(false);
    // The api's global provider is still its no-op proxy: nothing was registered with it.
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
    const res = await t.post('/api/v1/events', { events: [projectUpserted('p-untraced')] }, undefined, { traceparent: TRACEPARENT });
    expect(res.status).toBe(200);
    await until(() => ingestLogLine(lines) !== undefined, 'the request log line');
    expect(ingestLogLine(lines)).not.toHaveProperty('trace_id');
    expect(lines.some((l) => 'trace_id' in l)).toBe(false);
  });

  it('make one ingest one trace: HTTP span → validate, write round (linked) → projections, publish → fan-out → ws send', async () => {
    withoutOtelEnv();
    const exporter = new InMemorySpanExporter();
    const { logger, lines } = capturedLogger();
    const t = await startTestServer({ spanExporter: exporter, logger });
    const close = closing(t);
    expect(tracingEnabled()).toBe(true);
    const ws = await TestWsClient.authed(t.url, t.keys.read, ['project']);
    cleanups.push(() => ws.close());
    exporter.reset();

    const res = await t.post('/api/v1/events', { events: [projectUpserted('p-traced')] }, undefined, { traceparent: TRACEPARENT });
    expect(res.status).toBe(200);
    await ws.waitFor((m) => m.type === 'event' && m.entityId === 'p-traced');
    // The server span ends when the response is closed, a moment after the client has read it.
    await until(() => exporter.getFinishedSpans().some((s) => s.name === 'POST /api/v1/events'), 'the HTTP server span');

    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === CALLER.traceId);
    const named = (name: string): ReadableSpan => {
      const found = spans.filter((s) => s.name === name);
      expect(
        found.map((s) => s.name),
        `exactly one ${name} span in the trace`,
      ).toEqual([name]);
      return found[0]!;
    };
    const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
    const idOf = (s: ReadableSpan) => s.spanContext().spanId;

    const request = named('POST /api/v1/events');
    expect(request.kind).toBe(SpanKind.SERVER);
    expect(parentOf(request)).toBe(CALLER.spanId);
    expect(request.attributes).toMatchObject({ 'http.route': '/api/v1/events', 'http.request.method': 'POST', 'http.response.status_code': 200 });

    const validate = named('ingest.validate');
    expect(parentOf(validate)).toBe(idOf(request));
    expect(validate.attributes).toMatchObject({ 'bmad.ingest.events': 1, 'bmad.ingest.valid': 1 });

    // The writer's round: in the first request's trace, linked to every request it commits, and linked back.
    const round = named('db.write_transaction');
    expect(parentOf(round)).toBe(idOf(request));
    expect(round.links.map((l) => l.context.spanId)).toEqual([idOf(request)]);
    expect(round.attributes).toMatchObject({
      'db.system.name': testBackend(),
      'bmad.write_round.requests': 1,
      'bmad.write_round.events': 1,
      'bmad.write_round.appended': 1,
    });
    expect(request.links.map((l) => l.context.spanId)).toEqual([idOf(round)]);
    expect(request.attributes).toMatchObject({ 'bmad.write_round.span_id': idOf(round), 'bmad.write_round.requests': 1 });

    const projections = spans.filter((s) => s.name.startsWith('projection.'));
    expect(projections.map((s) => s.name)).toContain('projection.projects');
    for (const p of projections) expect(parentOf(p), p.name).toBe(idOf(round));

    const publish = named('events.publish');
    expect(parentOf(publish)).toBe(idOf(round));
    const fanout = named('ws.fanout');
    expect(parentOf(fanout)).toBe(idOf(publish));
    expect(fanout.attributes).toMatchObject({ 'bmad.ws.connections': 1, 'bmad.ws.frames': 1, 'bmad.ws.send_spans': 1 });
    const send = named('ws.send');
    expect(parentOf(send)).toBe(idOf(fanout));
    expect(send.attributes).toMatchObject({ 'bmad.ws.frames': 1 });

    // Nothing else joined the request's trace (the rollup the commit woke up has traces of its own).
    expect(
      spans
        .filter((s) => !s.name.startsWith('projection.'))
        .map((s) => s.name)
        .sort(),
    ).toEqual(['POST /api/v1/events', 'db.write_transaction', 'events.publish', 'ingest.validate', 'ws.fanout', 'ws.send'].sort());

    // The request's log line names its trace and span.
    const line = ingestLogLine(lines);
    expect(line).toMatchObject({ trace_id: CALLER.traceId, span_id: idOf(request), trace_flags: '01' });

    // The stored event keeps that trace: its lineage leads back to it.
    const eventId = ((await res.json()) as { results: { eventId: number }[] }).results[0]!.eventId;
    const lineage = (await (await t.get(`/api/v1/analytics/lineage/event:${eventId}`)).json()) as { events: { traceId: string | null }[] };
    expect(lineage.events[0]?.traceId).toBe(CALLER.traceId);

    await close();
    expect(tracingEnabled()).toBe(false);
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
  });

  it('give a BMAD scan and a rollup round traces of their own', async () => {
    withoutOtelEnv();
    const dir = path.join(tempDir('bmad-ops-tracing-'), 'project');
    fs.cpSync(path.resolve('examples/bmad-v6-sample'), dir, { recursive: true });
    cleanups.push(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));
    const exporter = new InMemorySpanExporter();
    const t = await startTestServer({ spanExporter: exporter, config: { bmad: { projects: [dir], gitHistory: false } } });
    closing(t);
    await t.server.core.rollup.drain();
    await until(() => exporter.getFinishedSpans().some((s) => s.name === 'analytics.rollup'), 'an analytics.rollup span');
    const spans = exporter.getFinishedSpans();

    // The start's scan: a root span, and the write rounds of what it ingested in its trace.
    const scan = spans.find((s) => s.name === 'bmad.scan')!;
    expect(scan.parentSpanContext).toBeUndefined();
    expect(scan.attributes['bmad.scan.accepted']).toBeGreaterThan(0);
    const inScan = spans.filter((s) => s.spanContext().traceId === scan.spanContext().traceId).map((s) => s.name);
    expect(inScan).toEqual(expect.arrayContaining(['bmad.scan', 'ingest.validate', 'db.write_transaction', 'events.publish']));

    // The rollup the scan's commits woke up is not part of the scan's trace.
    const rollups = spans.filter((s) => s.name === 'analytics.rollup');
    for (const r of rollups) {
      expect(r.parentSpanContext).toBeUndefined();
      expect(r.spanContext().traceId).not.toBe(scan.spanContext().traceId);
    }
    expect(rollups.reduce((n, r) => n + Number(r.attributes['bmad.rollup.events']), 0)).toBeGreaterThan(0);
  });

  it('go to an SDK already registered in the process (a preloaded auto-instrumentation), which stays registered', async () => {
    withoutOtelEnv();
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    provider.register();
    cleanups.push(async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    });
    vi.stubEnv('OTEL_TRACES_EXPORTER', 'otlp');
    const t = await startTestServer();
    const close = closing(t);
    expect((await t.ingest([projectUpserted('p-preloaded')])).status).toBe(200);
    await until(() => exporter.getFinishedSpans().some((s) => s.name === 'POST /api/v1/events'), 'the HTTP span in the preloaded SDK');
    await close();
    expect(tracingEnabled()).toBe(false);
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(true);
  });

  it('are exported over OTLP/HTTP when OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set', async () => {
    withoutOtelEnv();
    const bodies: string[] = [];
    const collector = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.url === '/v1/traces') bodies.push(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => collector.close(() => r())));
    vi.stubEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces`);
    vi.stubEnv('OTEL_SERVICE_NAME', 'bmad-ops-under-test');
    const t = await startTestServer();
    const close = closing(t);
    expect(tracingEnabled()).toBe(true);
    expect((await t.ingest([projectUpserted('p-exported')])).status).toBe(200);
    // Closing flushes the batch processor.
    await close();
    const sent = bodies.join('\n');
    expect(sent).toContain('"name":"POST /api/v1/events"');
    expect(sent).toContain('"name":"db.write_transaction"');
    expect(sent).toContain('bmad-ops-under-test');
  });
});
