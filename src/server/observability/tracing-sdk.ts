/**
 * Turns traces on for this process: the OpenTelemetry SDK with the standard OTEL_* environment variables (OTLP/HTTP
 * export), or an exporter a test hands in. With neither, nothing is loaded or registered and tracing.ts's helpers stay
 * no-ops. The SDK is imported dynamically for that reason: a server without OTEL_* never loads it.
 */
import { context, diag, DiagLogLevel, propagation, trace, type ProxyTracerProvider } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import type { Logger } from './logger.js';
import { setTracer } from './tracing.js';

export interface TracingHandle {
  readonly exporter: 'otlp' | 'console' | 'injected';
  /** Exports what is still buffered and unregisters everything; safe to call twice. */
  shutdown(): Promise<void>;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Which exporter the environment asks for, if any (OTEL_TRACES_EXPORTER, else any OTLP endpoint variable means OTLP). */
export function tracesExporterFromEnv(env: Env): { kind: 'otlp' | 'console' | null; unsupported: string[] } {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return { kind: null, unsupported: [] };
  const listed = env.OTEL_TRACES_EXPORTER?.split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (listed && listed.length > 0) {
    const unsupported = listed.filter((s) => s !== 'otlp' && s !== 'console' && s !== 'none');
    if (listed.includes('none')) return { kind: null, unsupported };
    return { kind: listed.includes('otlp') ? 'otlp' : listed.includes('console') ? 'console' : null, unsupported };
  }
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return { kind: endpoint ? 'otlp' : null, unsupported: [] };
}

/**
 * Registers an SDK when traces are wanted; returns null (and registers nothing) when they are not. The SDK takes the
 * process's globals (tracer provider, AsyncLocalStorage context manager, W3C trace-context propagator): one traced
 * server per process. Sampling (OTEL_TRACES_SAMPLER), limits and batching (OTEL_BSP_*) follow the SDK's own variables,
 * the resource OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.
 */
export async function installTracing(opts: { exporter?: SpanExporter; env?: Env; logger: Logger }): Promise<TracingHandle | null> {
  const env = opts.env ?? process.env;
  const wanted = opts.exporter ? { kind: 'injected' as const, unsupported: [] } : tracesExporterFromEnv(env);
  if (wanted.unsupported.length > 0)
    opts.logger.warn(
      { OTEL_TRACES_EXPORTER: env.OTEL_TRACES_EXPORTER },
      `traces: exporter ${wanted.unsupported.join(', ')} is not supported (otlp, console, none are)`,
    );
  if (wanted.kind === null) return null;
  const kind = wanted.kind;
  // An SDK preloaded into the process (node --import @opentelemetry/auto-instrumentations-node/register) already holds
  // the globals: our spans go to its provider, and it stays registered when the server stops.
  const preloaded = (trace.getTracerProvider() as ProxyTracerProvider).getDelegateTracer('bmad-ops');
  if (preloaded && kind !== 'injected') {
    opts.logger.info('traces: using the OpenTelemetry SDK already registered in this process');
    setTracer(preloaded);
    return { exporter: kind, shutdown: async () => setTracer(undefined) };
  }

  const [{ NodeTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, ConsoleSpanExporter }, { detectResources, envDetector, resourceFromAttributes }] =
    await Promise.all([import('@opentelemetry/sdk-trace-node'), import('@opentelemetry/resources')]);
  let processor;
  if (kind === 'injected') {
    // A test reads its exporter right after a request: spans are handed over as they end, not batched.
    processor = new SimpleSpanProcessor(opts.exporter!);
  } else if (kind === 'console') {
    processor = new SimpleSpanProcessor(new ConsoleSpanExporter());
  } else {
    const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL;
    if (protocol && protocol !== 'http/json') opts.logger.warn({ protocol }, 'traces: only OTLP/HTTP with JSON bodies is built in; sending http/json');
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    processor = new BatchSpanProcessor(new OTLPTraceExporter());
  }
  // The SDK's own failures (a collector that is down) go to our log, at warn, instead of nowhere.
  const log = opts.logger;
  diag.setLogger(
    {
      error: (msg, ...args) => log.warn({ args }, `traces: ${msg}`),
      warn: (msg, ...args) => log.warn({ args }, `traces: ${msg}`),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  const resource = resourceFromAttributes({ 'service.name': 'bmad-ops' }).merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  provider.register();
  // register() does not say when another provider already holds the global: the api then keeps that one.
  if ((trace.getTracerProvider() as { getDelegate?: () => unknown }).getDelegate?.() !== provider) {
    await provider.shutdown();
    diag.disable();
    throw new Error('traces: another OpenTelemetry tracer provider is already registered in this process');
  }
  setTracer(provider.getTracer('bmad-ops'));
  let done: Promise<void> | undefined;
  return {
    exporter: kind,
    shutdown() {
      done ??= (async () => {
        setTracer(undefined);
        await provider.shutdown().catch((err: unknown) => log.warn({ err }, 'traces: flushing the last spans failed'));
        trace.disable();
        context.disable();
        propagation.disable();
        diag.disable();
      })();
      return done;
    },
  };
}
