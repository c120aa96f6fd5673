import { z } from 'zod';
import { analyticsUpdatedMessageSchema } from './analytics.js';
import { EVENT_TYPES, MODULES, moduleSchema, type EventType, type Module } from './events.js';
import { statusUpdatedMessageSchema } from './status.js';

/**
 * WebSocket protocol on /ws. JSON text frames, every message has a `type`. Types here are the single source of truth
 * for the gateway and for every client (browser and Node).
 */
export const TOPICS = MODULES;
export const topicSchema = moduleSchema;
export type Topic = Module;

/** Which topic (module) an event type belongs to. People from user.upserted travel with agents: the directory. */
export const TOPIC_OF_EVENT: Readonly<Record<EventType, Topic>> = {
  'project.upserted': 'project',
  'story.upserted': 'story',
  'story.status_changed': 'story',
  // Epics are the board's rows: they travel with the stories.
  'epic.upserted': 'story',
  'epic.status_changed': 'story',
  'workflow.upserted': 'workflow',
  'workflow.transitioned': 'workflow',
  'agent.upserted': 'agent',
  'user.upserted': 'agent',
  'cost.recorded': 'cost',
  'cost.usage_reported': 'cost',
  'project.budget_set': 'cost',
  'sync.reported': 'sync',
  'document.registered': 'document',
  'document.removed': 'document',
  // Findings are shown on cards and on the project's integrity panel: they travel with the stories.
  'consistency.reported': 'story',
  // Alerts are about the workspace's operational health: they travel with sync (the bell re-reads on them).
  'alert.rule_set': 'sync',
  'alert.rule_removed': 'sync',
  'alert.channel_set': 'sync',
  'alert.channel_removed': 'sync',
  'alert.fired': 'sync',
  'alert.resolved': 'sync',
};

/** Close codes. 4xxx are ours; 1009 (too big) and 1001 (going away) are the standard ones we also use. */
export const CLOSE_CODES = {
  /** Server shutting down: reconnect with backoff. */
  goingAway: 1001,
  /** A frame over the size limit (sent by the ws library itself). */
  tooBig: 1009,
  /** Repeated protocol violations. */
  protocolError: 4400,
  /** No valid auth within the deadline, or the token is invalid or expired. */
  unauthorized: 4401,
  /** Authenticated, but not allowed to read (e.g. a key without the read scope). */
  forbidden: 4403,
  /** Nothing received for two heartbeat intervals plus grace. */
  heartbeatTimeout: 4408,
  /** The client fell too far behind (send buffer over the cap): reconnect and resync. */
  resyncNeeded: 4409,
  /** This account or key already has as many open sockets as it may: close another one first. */
  tooManyConnections: 4429,
} as const;

// ---------- client → server ----------
const eventIdSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const clientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('auth'), token: z.string().min(1).max(512) }),
  z.strictObject({
    type: z.literal('subscribe'),
    topics: z.array(topicSchema).min(1).max(TOPICS.length),
    /**
     * A reconnecting client names the position it holds: the server then replays from there (as for resync_request)
     * instead of sending snapshots. Without it, subscribe answers with snapshots.
     */
    resumeFrom: z.strictObject({ lastAckEventId: eventIdSchema, epoch: z.string().min(1).max(64) }).optional(),
  }),
  z.strictObject({ type: z.literal('heartbeat'), ts: z.number().finite() }),
  z.strictObject({ type: z.literal('resync_request'), lastAckEventId: eventIdSchema, epoch: z.string().min(1).max(64) }),
  z.strictObject({ type: z.literal('ack'), lastEventId: eventIdSchema }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;
export const CLIENT_MESSAGE_TYPES = ['auth', 'subscribe', 'heartbeat', 'resync_request', 'ack'] as const;

// ---------- server → client ----------
const instant = z.string();

export const welcomeMessageSchema = z.object({
  type: z.literal('welcome'),
  sessionId: z.string(),
  epoch: z.string(),
  headEventId: z.number().int(),
  heartbeatIntervalMs: z.number().int(),
  serverTime: instant,
});

export const snapshotMessageSchema = z.object({
  type: z.literal('snapshot'),
  module: topicSchema,
  /** The event sequence this snapshot is consistent with: apply live events with a greater eventId on top. */
  version: z.number().int(),
  data: z.unknown(),
  generatedAt: instant,
});

export const eventMessageSchema = z.object({
  type: z.literal('event'),
  eventId: z.number().int(),
  /** The eventId of the previous event sent on this connection (0 if none): a mismatch on the client is a gap. */
  prevEventId: z.number().int(),
  epoch: z.string(),
  eventType: z.enum(EVENT_TYPES as [EventType, ...EventType[]]),
  module: topicSchema,
  entityType: z.string(),
  entityId: z.string(),
  occurredAt: instant,
  /**
   * Who sent it, under which id: with occurredAt, the event's place in the "newest wins" order (versionOfEvent), which
   * a client needs to fold it exactly as the server did. Null from a server that did not send them.
   */
  source: z.string().nullable().default(null),
  sourceEventId: z.string().nullable().default(null),
  payload: z.unknown(),
  /** Opaque reference that GET /analytics/lineage/:lineageRef resolves to this event. */
  lineageRef: z.string(),
});

export const heartbeatMessageSchema = z.object({
  type: z.literal('heartbeat'),
  ts: z.number(),
  serverTime: instant,
  headEventId: z.number().int(),
  /** The last eventId sent on this connection: an idle client that has less has missed something. */
  lastEventId: z.number().int(),
});

export const resyncCompleteMessageSchema = z.object({
  type: z.literal('resync_complete'),
  recovered: z.boolean(),
  fromEventId: z.number().int(),
  toEventId: z.number().int(),
  reason: z.string().optional(),
});

export const staleStateMessageSchema = z.object({
  type: z.literal('stale_state'),
  module: topicSchema,
  isStale: z.boolean(),
  lastSuccessfulUpdateAt: instant.nullable(),
  reason: z.string().nullable(),
});

export const syncStatusMessageSchema = z.object({
  type: z.literal('sync_status'),
  module: topicSchema,
  status: z.enum(['ok', 'failed', 'unknown']),
  lastSuccessfulSyncAt: instant.nullable(),
  error: z.string().nullable(),
});

export const errorMessageSchema = z.object({
  type: z.literal('error'),
  code: z.string(),
  message: z.string(),
  recoverable: z.boolean(),
});

export const serverMessageSchema = z.discriminatedUnion('type', [
  welcomeMessageSchema,
  snapshotMessageSchema,
  eventMessageSchema,
  heartbeatMessageSchema,
  resyncCompleteMessageSchema,
  staleStateMessageSchema,
  syncStatusMessageSchema,
  errorMessageSchema,
  analyticsUpdatedMessageSchema,
  statusUpdatedMessageSchema,
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;
export type EventMessage = z.infer<typeof eventMessageSchema>;
export type SnapshotMessage = z.infer<typeof snapshotMessageSchema>;
export type StaleStateMessage = z.infer<typeof staleStateMessageSchema>;
export type SyncStatusMessage = z.infer<typeof syncStatusMessageSchema>;
export type WelcomeMessage = z.infer<typeof welcomeMessageSchema>;
export type ResyncCompleteMessage = z.infer<typeof resyncCompleteMessageSchema>;
