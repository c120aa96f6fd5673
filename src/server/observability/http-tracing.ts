/**
 * The HTTP server span of each request, made here rather than by @opentelemetry/instrumentation-http/-express: those
 * patch modules through require hooks, and this server is ESM (express is imported, not required), so they would need
 * a loader flag (--experimental-loader=@opentelemetry/instrumentation/hook.mjs) on every start; and they patch
 * process-wide, where a test injects its exporter per server. A middleware is enough for what we want: one span per
 * request named by its route template, continuing the caller's W3C traceparent.
 */
import type { RequestHandler } from 'express';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { startSpan, tracingEnabled } from './tracing.js';

export function traceRequests(): RequestHandler {
  return (req, res, next) => {
    // Health probes every few seconds would bury the traces that matter (the request log skips them too).
    if (!tracingEnabled() || req.url === '/api/v1/health') return next();
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = startSpan(
      req.method,
      { 'http.request.method': req.method, 'url.path': req.path, 'url.scheme': req.protocol },
      { parent, kind: SpanKind.SERVER },
    )!;
    const ctx = trace.setSpan(parent, span);
    // The request's and response's events can fire from the socket's callbacks (a body arriving in later packets,
    // 'finish'), outside this request's async context: bound listeners keep the span active there too.
    context.bind(ctx, req);
    context.bind(ctx, res);
    res.once('close', () => {
      // Known only now: the router sets req.route when a route matched (the same template the metrics use).
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : undefined;
      if (route) {
        span.updateName(`${req.method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      if (!res.writableFinished) span.setAttribute('http.aborted', true);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(ctx, next);
  };
}
