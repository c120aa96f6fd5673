import { z } from 'zod';
import { moduleSchema } from './events.js';

/**
 * The status page (GET /api/v1/status, issue 14 §2): the service level indicators the server samples from its own
 * Prometheus registry, the objectives they are held to, and the state of each. The targets live here, once, so the
 * server computes states from the same numbers the browser shows beside them.
 */

export const STATUS_WINDOWS = ['15m', '24h'] as const;
export type StatusWindow = (typeof STATUS_WINDOWS)[number];
export const statusQuerySchema = z.strictObject({ window: z.enum(STATUS_WINDOWS).default('15m') });

export const STATUS_WINDOW_MS: Readonly<Record<StatusWindow, number>> = { '15m': 15 * 60_000, '24h': 24 * 3_600_000 };
/** The 24-hour view reads 5-minute buckets the sampler folds as it goes (288 rows instead of 8,640 samples). */
export const COARSE_BUCKET_MS = 5 * 60_000;
/** The 15-minute view's slot: one sample each at the default interval. */
export const FINE_BUCKET_MS = 10_000;
/** Percentiles and counts over this trailing window, like Prometheus' rate(...[5m]): one slow ack is not a trend. */
export const QUANTILE_WINDOW_MS = 5 * 60_000;

export const SLI_KEYS = [
  'stale_modules',
  'event_to_ui_p50_ms',
  'event_to_ui_p95_ms',
  'event_to_ui_p99_ms',
  'ingest_events_per_s',
  'ingest_rejected_per_min',
  'ingest_refused_per_min',
  'ws_sessions',
  'ws_reconnects_per_min',
  'stale_session_ratio',
  'write_lock_wait_p95_ms',
  'write_lock_wait_p99_ms',
  'rollup_lag_p95_ms',
  'rollup_backlog_events',
  'sync_failures_per_min',
] as const;
export type SliKey = (typeof SLI_KEYS)[number];
export const sliKeySchema = z.enum(SLI_KEYS);

/**
 * How a 5-minute bucket folds its samples: the peak for what should stay low (a spike must not be averaged away), the
 * mean for rates (the bucket's average rate).
 */
export const SLI_FOLD: Readonly<Record<SliKey, 'max' | 'mean'>> = {
  stale_modules: 'max',
  event_to_ui_p50_ms: 'max',
  event_to_ui_p95_ms: 'max',
  event_to_ui_p99_ms: 'max',
  ingest_events_per_s: 'mean',
  ingest_rejected_per_min: 'mean',
  ingest_refused_per_min: 'mean',
  ws_sessions: 'max',
  ws_reconnects_per_min: 'mean',
  stale_session_ratio: 'max',
  write_lock_wait_p95_ms: 'max',
  write_lock_wait_p99_ms: 'max',
  rollup_lag_p95_ms: 'max',
  rollup_backlog_events: 'max',
  sync_failures_per_min: 'mean',
};

// ---------- objectives ----------

export const SLO_KEYS = ['freshness', 'event_to_ui', 'stale_sessions', 'write_lock_wait', 'rollup_lag', 'sync_failures', 'consistency'] as const;
export type SloKey = (typeof SLO_KEYS)[number];
export const SLO_STATES = ['met', 'at_risk', 'breached', 'no_data'] as const;
export const sloStateSchema = z.enum(SLO_STATES);
export type SloState = z.infer<typeof sloStateSchema>;

/** A ceiling objective is "at risk" from this share of its target on: close enough to look at before it breaks. */
export const AT_RISK_SHARE = 0.8;

export interface SloDefinition {
  title: string;
  /** The objective in words, as the page shows it. */
  objective: string;
  /** The ceiling (in `unit`); null where the objective is not a single number. */
  target: number | null;
  unit: 'ms' | 'ratio' | 'count' | 'minutes' | 'hours';
  /** Where the number comes from: the architecture document, or ours when the document leaves it open. */
  source: string;
}

/** Sync failing this long without a success breaks the objective (architecture §10.4 leaves N open). */
export const SYNC_FAILURE_MINUTES = 5;
/** A passed consistency check older than this says little about now. */
export const CONSISTENCY_MAX_AGE_HOURS = 24;

export const SLOS: Readonly<Record<SloKey, SloDefinition>> = {
  freshness: {
    title: 'Module freshness',
    objective: 'No module with a connected source is stale',
    target: 0,
    unit: 'count',
    source:
      'architecture.md §5.2 and §6 (stale_state per module, stale banners); stale means the last report failed or no success for BMAD_OPS_STALE_AFTER_INTERVALS (default 2) expected intervals. At risk once a source is past one expected interval.',
  },
  event_to_ui: {
    title: 'Event → UI latency',
    objective: '95th percentile at most 3 s',
    target: 3000,
    unit: 'ms',
    source: 'architecture.md §1.1 (event-to-UI ≤ 3 s under normal load) and §10.4 (alert on the 95th percentile); engineering-anchors §3 (≤ 3 s p95).',
  },
  stale_sessions: {
    title: 'Stale-session ratio',
    objective: 'At most 5 % of open sessions see a stale module',
    target: 0.05,
    unit: 'ratio',
    source: 'architecture.md §10.4 names the alert (elevated stale-session ratio) without a number: 5 % is our choice.',
  },
  write_lock_wait: {
    title: 'Database write-lock wait',
    objective: '95th percentile at most 50 ms',
    target: 50,
    unit: 'ms',
    source:
      'architecture.md §10.4 names the alert (SQLite lock contention above threshold) without a number: 50 ms is the SQLite busy timeout (sqlite.busyTimeoutMs), past which a write backs off and retries.',
  },
  rollup_lag: {
    title: 'Analytics rollup lag',
    objective: '95th percentile at most 3 s',
    target: 3000,
    unit: 'ms',
    source: 'The 3 s freshness goal of architecture.md §1.1 applied to the analytics module: the document sets no rollup number of its own.',
  },
  sync_failures: {
    title: 'Sync failures',
    objective: `No module's sync failing with no success for more than ${SYNC_FAILURE_MINUTES} minutes`,
    target: SYNC_FAILURE_MINUTES,
    unit: 'minutes',
    source: `architecture.md §10.4 (alert: sync failure sustained > N minutes) leaves N open: ${SYNC_FAILURE_MINUTES} is our choice. At risk while any failure is recent.`,
  },
  consistency: {
    title: 'Consistency check',
    objective: `The last check found no difference, and ran within ${CONSISTENCY_MAX_AGE_HOURS} hours`,
    target: CONSISTENCY_MAX_AGE_HOURS,
    unit: 'hours',
    source: `architecture.md §14 (cross-view consistency checks running and visible in the UI) and §11 (consistency monitor job); the ${CONSISTENCY_MAX_AGE_HOURS}-hour age is our choice.`,
  },
};

// ---------- response ----------

const instant = z.string();
const num = z.number().nullable();

export const sloStatusSchema = z.object({
  key: z.enum(SLO_KEYS),
  state: sloStateSchema,
  /** The value held against the target (in the objective's unit); null when there is none. */
  value: num,
  /** Why the state is what it is, in words. */
  reason: z.string(),
});
export type SloStatus = z.infer<typeof sloStatusSchema>;

export const moduleFreshnessSchema = z.object({
  module: moduleSchema,
  /** ok / failed from the newest reports; unknown until some source reported this module. */
  syncStatus: z.enum(['ok', 'failed', 'unknown']),
  /** When the newest event of this module was stored (null: none seen lately). */
  lastEventAt: instant.nullable(),
  lastSuccessfulSyncAt: instant.nullable(),
  lastAttemptAt: instant.nullable(),
  isStale: z.boolean(),
  reason: z.string().nullable(),
  sources: z.number().int(),
  /** Failed sync reports of this module since the server started (sync_failures_total{module}). */
  failuresSinceStart: z.number(),
  state: sloStateSchema,
});
export type ModuleFreshness = z.infer<typeof moduleFreshnessSchema>;

export const consistencyCheckSchema = z.object({
  startedAt: instant,
  finishedAt: instant.nullable(),
  durationMs: z.number().nullable(),
  result: z.string(),
  findings: z.number().int(),
  trigger: z.string(),
});

/** Counters since the server started, read from the registry at request time: exactly what /metrics says. */
export const statusTotalsSchema = z.object({
  ingestAccepted: z.number(),
  ingestDuplicate: z.number(),
  ingestRejected: z.number(),
  ingestRefused: z.number(),
  wsReconnects: z.number(),
  wsReconnectsRecovered: z.number(),
  eventToUiAcks: z.number(),
  syncFailures: z.number(),
});

export const statusSeriesSchema = z.object({
  /** Bucket starts (ms since the epoch), the whole window, oldest first. */
  x: z.array(z.number()),
  /** Samples folded into each bucket: 0 means the server was not sampling then (drawn as a gap, never a zero). */
  samples: z.array(z.number().int()),
  values: z.record(sliKeySchema, z.array(num)),
});
export type StatusSeries = z.infer<typeof statusSeriesSchema>;

export const statusResponseSchema = z.object({
  generatedAt: instant,
  window: z.enum(STATUS_WINDOWS),
  sampleIntervalMs: z.number().int(),
  resolutionMs: z.number().int(),
  /** When the server process started: the totals count from then. */
  serverStartedAt: instant,
  /** The newest sample (null before the first); the current values below are its values. */
  lastSampleAt: instant.nullable(),
  /** True when the newest sample is older than three intervals: sampling stopped, the values may be out of date. */
  sampleStale: z.boolean(),
  database: z.enum(['sqlite', 'postgres']),
  slos: z.array(sloStatusSchema),
  current: z.record(sliKeySchema, num),
  totals: statusTotalsSchema,
  modules: z.array(moduleFreshnessSchema),
  consistency: consistencyCheckSchema.nullable(),
  series: statusSeriesSchema,
});
export type StatusResponse = z.infer<typeof statusResponseSchema>;

/** Pushed on the `sync` topic after each sample: pages showing the status re-read it. */
export const statusUpdatedMessageSchema = z.object({ type: z.literal('status_updated'), sampledAt: instant });
export type StatusUpdatedMessage = z.infer<typeof statusUpdatedMessageSchema>;
