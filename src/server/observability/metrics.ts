import { Counter, Histogram, Registry, collectDefaultMetrics, Gauge } from 'prom-client';

/** The server's Prometheus metrics, in a registry per server instance (tests run several servers in one process). */
export class Metrics {
  readonly registry = new Registry();

  readonly apiRequestDuration = new Histogram({
    name: 'api_request_duration_ms',
    help: 'HTTP API request duration in milliseconds',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000],
    registers: [this.registry],
  });

  readonly sqliteWriteLockWait = new Histogram({
    name: 'sqlite_write_lock_wait_ms',
    help: 'Time spent acquiring the SQLite write lock (BEGIN IMMEDIATE, including retries), in milliseconds',
    buckets: [0.05, 0.1, 0.5, 1, 5, 10, 50, 100, 500, 1000, 5000],
    registers: [this.registry],
  });

  readonly ingestEvents = new Counter({
    name: 'ingest_events_total',
    help: 'Events received by POST /api/v1/events, by result',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly ingestOverloaded = new Counter({
    name: 'ingest_overloaded_total',
    help: 'Ingest requests refused with 429 because the write path was saturated or rate limited',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly otlpRecords = new Counter({
    name: 'otlp_records_total',
    help: 'OTLP log records and metric data points received on /v1/logs and /v1/metrics, by signal and outcome (accepted, duplicate, rejected, ignored, api_error)',
    labelNames: ['signal', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly eventsPruned = new Counter({
    name: 'events_pruned_total',
    help: 'Events deleted by retention (BMAD_OPS_RETENTION_DAYS)',
    registers: [this.registry],
  });

  readonly wsCoalesced = new Counter({
    name: 'websocket_requests_coalesced_total',
    help: 'Snapshot or resync requests folded into one already waiting on the same connection',
    registers: [this.registry],
  });

  private writerDepth: () => number = () => 0;

  readonly writerQueueDepth: Gauge = new Gauge({
    name: 'ingest_writer_queue_events',
    help: 'Events waiting for the single writer',
    registers: [this.registry],
    collect: (): void => this.writerQueueDepth.set(this.writerDepth()),
  });

  bindWriterDepth(read: () => number): void {
    this.writerDepth = read;
  }

  readonly eventsPublished = new Counter({
    name: 'events_published_total',
    help: 'Committed events handed to the in-process publisher',
    registers: [this.registry],
  });

  readonly wsConnectedSessions = new Gauge({
    name: 'websocket_connected_sessions',
    help: 'Authenticated WebSocket sessions currently open',
    registers: [this.registry],
  });

  readonly wsReconnectAttempts = new Counter({
    name: 'websocket_reconnect_attempts_total',
    help: 'Reconnections, counted from resync requests, by whether replay recovered them',
    labelNames: ['recovered'] as const,
    registers: [this.registry],
  });

  readonly staleSessionsRatio = new Gauge({
    name: 'stale_state_active_sessions_ratio',
    help: 'Share of open sessions subscribed to at least one stale module',
    registers: [this.registry],
  });

  readonly syncFailures = new Counter({
    name: 'sync_failures_total',
    help: 'Failed sync reports, by module',
    labelNames: ['module'] as const,
    registers: [this.registry],
  });

  readonly consistencyFailures = new Counter({
    name: 'cross_view_consistency_failures_total',
    help: 'Consistency findings that appeared (e.g. a BMAD story file disagreeing with sprint-status.yaml), by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly eventToUiLatency = new Histogram({
    name: 'event_to_ui_latency_ms',
    help: 'From commit to the client acknowledging the event (includes the client ack interval, 100 ms by default), measured on the server clock only',
    buckets: [5, 10, 25, 50, 75, 100, 125, 150, 200, 250, 300, 500, 750, 1000, 2000, 3000, 5000, 10000],
    registers: [this.registry],
  });

  readonly wsClosed = new Counter({
    name: 'websocket_closed_total',
    help: 'WebSocket connections closed, by close code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly rollupLag = new Histogram({
    name: 'analytics_rollup_lag_ms',
    help: 'From an event being ingested to the agent-metrics rollup having folded it in (the oldest event of each batch)',
    buckets: [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000],
    registers: [this.registry],
  });

  readonly rollupBacklog = new Gauge({
    name: 'analytics_rollup_backlog_events',
    help: 'Committed events the agent-metrics rollup has not read yet',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
