import { createRequire } from 'node:module';
import protobuf from 'protobufjs/minimal.js';

/**
 * OTLP/HTTP bodies in and out, through the official OTLP protobuf definitions as compiled by OpenTelemetry JS
 * (`@opentelemetry/otlp-transformer`'s generated protobufjs module). Binary bodies are decoded, JSON bodies are read
 * with the same message types' `fromObject` (OTLP JSON is the proto3 JSON mapping with lowerCamelCase names and
 * 64-bit integers as strings), and both come out as the same plain objects: one mapper serves both encodings.
 */

/** The decoded shapes this receiver reads (a subset of the OTLP messages; unknown fields are ignored, as the spec asks). */
export interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
  bytesValue?: string;
}
export interface KeyValue {
  key?: string;
  value?: AnyValue;
}
export interface NumberDataPoint {
  attributes?: KeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano?: string;
  asDouble?: number;
  asInt?: string;
}
export interface Metric {
  name?: string;
  unit?: string;
  sum?: { dataPoints?: NumberDataPoint[]; aggregationTemporality?: number; isMonotonic?: boolean };
  gauge?: unknown;
  histogram?: unknown;
  exponentialHistogram?: unknown;
  summary?: unknown;
}
export interface MetricsRequest {
  resourceMetrics?: { resource?: { attributes?: KeyValue[] }; scopeMetrics?: { metrics?: Metric[] }[] }[];
}
export interface LogRecord {
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  body?: AnyValue;
  attributes?: KeyValue[];
  eventName?: string;
}
export interface LogsRequest {
  resourceLogs?: { resource?: { attributes?: KeyValue[] }; scopeLogs?: { logRecords?: LogRecord[] }[] }[];
}

export type OtlpSignal = 'metrics' | 'logs';
export type OtlpEncoding = 'protobuf' | 'json';

interface MessageType {
  decode(reader: Uint8Array): object;
  encode(message: object): { finish(): Uint8Array };
  fromObject(object: Record<string, unknown>): object;
  toObject(message: object, options: Record<string, unknown>): Record<string, unknown>;
}
interface CollectorNamespace {
  v1: Record<string, MessageType>;
}
interface GeneratedRoot {
  opentelemetry: { proto: { collector: { metrics: CollectorNamespace; logs: CollectorNamespace } } };
}

// A CommonJS module without an exports map: loaded with require, typed by the slice above.
const root = createRequire(import.meta.url)('@opentelemetry/otlp-transformer/build/src/generated/root.js') as GeneratedRoot;
const collector = root.opentelemetry.proto.collector;
const TYPES: Record<OtlpSignal, { request: MessageType; response: MessageType }> = {
  metrics: { request: collector.metrics.v1.ExportMetricsServiceRequest!, response: collector.metrics.v1.ExportMetricsServiceResponse! },
  logs: { request: collector.logs.v1.ExportLogsServiceRequest!, response: collector.logs.v1.ExportLogsServiceResponse! },
};

const TO_PLAIN = { longs: String, enums: Number, bytes: String, defaults: false, arrays: false };

export class OtlpDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OtlpDecodeError';
  }
}

/** The request as plain objects, or OtlpDecodeError naming why the body is not an OTLP export request. */
export function decodeRequest(signal: 'metrics', encoding: OtlpEncoding, body: Buffer): MetricsRequest;
export function decodeRequest(signal: 'logs', encoding: OtlpEncoding, body: Buffer): LogsRequest;
export function decodeRequest(signal: OtlpSignal, encoding: OtlpEncoding, body: Buffer): MetricsRequest | LogsRequest {
  const type = TYPES[signal].request;
  try {
    if (encoding === 'protobuf') return type.toObject(type.decode(body), TO_PLAIN);
    const json: unknown = JSON.parse(body.toString('utf8'));
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('the body must be a JSON object');
    return type.toObject(type.fromObject(json as Record<string, unknown>), TO_PLAIN);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new OtlpDecodeError(`the body is not an OTLP ${signal} export request (${encoding === 'protobuf' ? 'protobuf' : 'JSON'}): ${why.slice(0, 200)}`);
  }
}

/** The export response: empty on full success, `partial_success` naming what was rejected and why otherwise. */
export function encodeResponse(
  signal: OtlpSignal,
  encoding: OtlpEncoding,
  partial: { rejected: number; message: string } | null,
): Buffer | Record<string, unknown> {
  const field = signal === 'metrics' ? 'rejectedDataPoints' : 'rejectedLogRecords';
  const body = partial ? { partialSuccess: { [field]: partial.rejected, errorMessage: partial.message } } : {};
  if (encoding === 'json') return partial ? { partialSuccess: { [field]: String(partial.rejected), errorMessage: partial.message } } : {};
  const type = TYPES[signal].response;
  return Buffer.from(type.encode(type.fromObject(body)).finish());
}

/** A google.rpc.Status body (what OTLP/HTTP error responses carry), in the request's encoding. */
export function encodeStatus(encoding: OtlpEncoding, code: number, message: string): Buffer | Record<string, unknown> {
  if (encoding === 'json') return { code, message };
  // Status { int32 code = 1; string message = 2; }
  return Buffer.from(protobuf.Writer.create().uint32(8).int32(code).uint32(18).string(message).finish());
}

/** An attribute's value as a string or number (Claude Code sends numbers as strings), or undefined. */
export function scalar(v: AnyValue | undefined): string | number | boolean | undefined {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  return undefined;
}

/** Attributes as a map of scalars (later lists override earlier ones: a point's own attributes beat its resource's). */
export function attributeMap(...lists: (KeyValue[] | undefined)[]): Map<string, string | number | boolean> {
  const out = new Map<string, string | number | boolean>();
  for (const list of lists) {
    for (const kv of list ?? []) {
      const v = scalar(kv.value);
      if (kv.key && v !== undefined) out.set(kv.key, v);
    }
  }
  return out;
}
