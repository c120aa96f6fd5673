/**
 * Traces: the helpers the server's code calls to make spans. They go through @opentelemetry/api only; the SDK is
 * loaded and registered by tracing-sdk.ts, and only when traces are wanted (an OTEL_* exporter variable, or a test's
 * exporter). Until then every helper runs its function at once with a shared non-recording span: no span object, no
 * context switch, nothing of the SDK loaded.
 */
import {
  context,
  INVALID_SPAN_CONTEXT,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanKind,
  type Tracer,
} from '@opentelemetry/api';

/** Handed to span-taking callbacks while tracing is off: every method is a no-op, isRecording() is false. */
const NOOP_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

let tracer: Tracer | undefined;

/** Set by tracing-sdk.ts when it registers an SDK, cleared when that shuts down. */
export function setTracer(t: Tracer | undefined): void {
  tracer = t;
}

export function tracingEnabled(): boolean {
  return tracer !== undefined;
}

export interface SpanOptions {
  /** Start a new trace instead of joining the active one (background jobs a request merely woke up). */
  root?: boolean;
  /** The parent, when it is not the active context (work queued by one request and run later). */
  parent?: Context;
  links?: Link[];
  kind?: SpanKind;
}

function start(name: string, attributes: Attributes, opts: SpanOptions): { span: Span; parent: Context } {
  const parent = opts.root ? ROOT_CONTEXT : (opts.parent ?? context.active());
  const span = tracer!.startSpan(
    name,
    { attributes, ...(opts.links ? { links: opts.links } : {}), ...(opts.kind !== undefined ? { kind: opts.kind } : {}) },
    parent,
  );
  return { span, parent };
}

export function recordError(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/**
 * Runs `fn` inside a span that is active for everything it calls (and awaits), ending it when `fn` returns or its
 * promise settles; a throw or rejection marks the span as failed and is passed on unchanged.
 * For the lead's consistency monitor: `withSpan('consistency.verify', { ... }, () => monitor.run(), { root: true })`.
 */
export function withSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => T, opts: SpanOptions = {}): T {
  if (tracer === undefined) return fn(NOOP_SPAN);
  const { span, parent } = start(name, attributes, opts);
  const fail = (err: unknown): never => {
    recordError(span, err);
    span.end();
    throw err;
  };
  let result: T;
  try {
    result = context.with(trace.setSpan(parent, span), fn, undefined, span);
  } catch (err) {
    return fail(err);
  }
  if (result instanceof Promise) {
    return result.then((value: unknown) => {
      span.end();
      return value;
    }, fail) as T;
  }
  span.end();
  return result;
}

/** A child of the active span that the caller ends; undefined while tracing is off. For spans in hot loops. */
export function startSpan(name: string, attributes: Attributes, opts: SpanOptions = {}): Span | undefined {
  return tracer === undefined ? undefined : start(name, attributes, opts).span;
}

/**
 * A span written after the fact, from `startedAtMs` (performance.now()) until now. For periodic jobs whose rounds are
 * mostly empty: only a round that did something becomes a span, so an idle poll adds none.
 */
export function recordSpan(name: string, startedAtMs: number, attributes: Attributes, opts: SpanOptions & { error?: unknown } = {}): void {
  if (tracer === undefined) return;
  const parent = opts.root ? ROOT_CONTEXT : (opts.parent ?? context.active());
  const span = tracer.startSpan(name, { attributes, startTime: performance.timeOrigin + startedAtMs, ...(opts.links ? { links: opts.links } : {}) }, parent);
  if (opts.error !== undefined) recordError(span, opts.error);
  span.end();
}

/** Runs `fn` outside any trace: work a request only woke up (a job's round) must not join that request's trace. */
export function detached<T>(fn: () => T): T {
  return tracer === undefined ? fn() : context.with(ROOT_CONTEXT, fn);
}

/** trace_id/span_id/trace_flags of the active span, for log lines (the names OpenTelemetry's log correlation uses). */
export function logCorrelation(): Record<string, string> {
  if (tracer === undefined) return {};
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId, traceFlags } = span.spanContext();
  return { trace_id: traceId, span_id: spanId, trace_flags: `0${traceFlags.toString(16)}`.slice(-2) };
}
