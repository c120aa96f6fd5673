import { z } from 'zod';
import { healthSchema } from '../api.js';
import { ingestRequestSchema, ingestResponseSchema } from '../ingestion.js';
import { endpoint } from './endpoint.js';

/** The OpenAPI document is described by itself only loosely: it is a JSON object. */
const openApiDocumentSchema = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

const OTLP = ['application/x-protobuf', 'application/json'] as const;

/** Ingestion, health, metrics and this catalogue itself. */
export const opsEndpoints = {
  health: endpoint({
    method: 'GET',
    path: '/health',
    access: 'public',
    tag: 'Operations',
    summary: 'Liveness and readiness (503 when the database, migrations, publisher or disk are not ready)',
    description:
      'Anyone sees `{status: ok}` or 503 `{status: unavailable}`; the checks (database, migrations, publisher, storage) only a manager or a key with the metrics scope.',
    response: healthSchema,
  }),
  ingest: endpoint({
    method: 'POST',
    path: '/events',
    access: 'ingest',
    tag: 'Ingestion',
    summary: 'Send events (at most 1 MiB and 1,000 per request): each is validated on its own, stored exactly once',
    description:
      '200 when all were accepted or duplicates, 207 when some were rejected (each with its field errors), 429/503 with Retry-After when busy, 507 when the disk is full.',
    body: ingestRequestSchema,
    response: ingestResponseSchema,
  }),
  openapi: endpoint({
    method: 'GET',
    path: '/openapi.json',
    access: 'public',
    tag: 'Reference',
    summary: 'This API described as OpenAPI 3.1',
    response: openApiDocumentSchema,
  }),
  metrics: endpoint({
    method: 'GET',
    path: '/metrics',
    base: '',
    access: 'metrics',
    tag: 'Operations',
    summary: 'Prometheus metrics (text exposition format)',
    response: null,
    produces: 'text/plain; version=0.0.4',
  }),
  otlpMetrics: endpoint({
    method: 'POST',
    path: '/v1/metrics',
    base: '',
    access: 'ingest',
    tag: 'Ingestion',
    summary: "OTLP/HTTP metrics receiver (Claude Code's telemetry), protobuf or JSON, gzip or not",
    response: null,
    consumes: OTLP,
    produces: 'application/x-protobuf',
  }),
  otlpLogs: endpoint({
    method: 'POST',
    path: '/v1/logs',
    base: '',
    access: 'ingest',
    tag: 'Ingestion',
    summary: "OTLP/HTTP logs receiver (Claude Code's events), protobuf or JSON, gzip or not",
    response: null,
    consumes: OTLP,
    produces: 'application/x-protobuf',
  }),
};
