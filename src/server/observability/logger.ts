import pino, { type Logger } from 'pino';
import { logCorrelation } from './tracing.js';

export type { Logger };

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'bmad-ops' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // A line written while a span is active names it (trace_id, span_id): logs and traces can be joined.
      mixin: logCorrelation,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password'], censor: '[redacted]' },
    },
    destination,
  );
}
