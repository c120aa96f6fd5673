import type { QueryClient } from '@tanstack/react-query';
import {
  analyticsUpdatedMessageSchema,
  statusUpdatedMessageSchema,
  type AnalyticsUpdatedMessage,
  type EventMessage,
  type StatusUpdatedMessage,
  type Topic,
} from '../../contracts/index.js';
import { alertKeysFor, keys } from '../api/query-keys.js';
import { RealtimeClient, type SocketLike } from '../realtime/realtime-client.js';
import { flashStore } from './flash.js';
import { LiveStore } from './live-store.js';
import { applyCostEvents } from './reducers/costs.reducer.js';
import { applyDocumentEvents } from './reducers/documents.reducer.js';
import { typed, type TypedEvent } from './reducers/fold.js';
import { applyProjectEvents } from './reducers/projects.reducer.js';
import type { ReducerContext } from './reducers/reducer.js';
import { applyStoryEvents } from './reducers/stories.reducer.js';
import { ThrottledInvalidator } from './reducers/throttled-invalidator.js';
import { applyWorkflowEvents } from './reducers/workflows.reducer.js';

export const LIVE_TOPICS: Topic[] = ['workflow', 'project', 'story', 'agent', 'sync', 'document', 'cost'];

/** How long live events are gathered before they are applied: one render per batch, not per event. */
const BATCH_MS = 50;

/**
 * Owns the one WebSocket of the page: feeds connection and freshness state into the LiveStore and overlays live
 * events on the TanStack Query cache through one reducer per module.
 */
export class LiveConnection {
  readonly store = new LiveStore();
  private readonly client: RealtimeClient;
  private readonly invalidator: ThrottledInvalidator;
  private queue: TypedEvent[] = [];
  private batchTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly ctx: ReducerContext;
  private readonly unlisten: (() => void)[] = [];
  private readonly analyticsListeners = new Set<(msg: AnalyticsUpdatedMessage) => void>();
  private readonly statusListeners = new Set<(msg: StatusUpdatedMessage) => void>();
  /** Hashes of the queries whose read was in flight when live events were applied: see start(). */
  private readonly readAgain = new Set<string>();

  constructor(
    private readonly qc: QueryClient,
    location: Location = window.location,
  ) {
    this.invalidator = new ThrottledInvalidator(qc);
    this.ctx = {
      invalidate: (k) => this.invalidator.invalidate(k),
      flash: (ids) => flashStore.mark(ids),
      now: () => Date.now(),
    };
    const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
    this.client = new RealtimeClient(
      {
        url,
        topics: LIVE_TOPICS,
        createSocket: (u) => {
          const socket = new WebSocket(u);
          // The protocol client has no handler for rollup notices (they carry no event position); a second listener
          // on the same socket picks them out without touching the client's own message handling.
          socket.addEventListener('message', (ev) => this.onRawMessage(ev.data));
          return socket as unknown as SocketLike;
        },
      },
      {
        onState: (state, detail) => this.onState(state, detail),
        onEvent: (msg) => this.onEvent(msg),
        onResyncComplete: (msg) => {
          if (!msg.recovered) this.reload();
        },
        onStaleState: (msg) => this.store.update((s) => ({ serverStale: { ...s.serverStale, [msg.module]: msg }, ...this.freshened(s) })),
        onSyncStatus: (msg) => {
          this.store.update((s) => ({ sync: { ...s.sync, [msg.module]: msg }, ...this.freshened(s) }));
          this.invalidator.invalidate(keys.syncStatus);
        },
      },
    );
  }

  start(): void {
    const wake = () => {
      const state = this.client.connectionState;
      if (state === 'degraded' || state === 'reconnecting') this.client.retryNow();
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') wake();
    };
    window.addEventListener('online', wake);
    document.addEventListener('visibilitychange', onVisible);
    // A read in flight when live events arrive may have been answered before they were committed: its answer would
    // overwrite the events' patch with older data. Such a query reads once more when that read is over.
    const unsubscribeCache = this.qc.getQueryCache().subscribe((ev) => {
      if (ev.type !== 'updated' || ev.query.state.fetchStatus !== 'idle' || !this.readAgain.delete(ev.query.queryHash)) return;
      void this.qc.invalidateQueries({ queryKey: ev.query.queryKey, exact: true });
    });
    this.unlisten.push(
      () => window.removeEventListener('online', wake),
      () => document.removeEventListener('visibilitychange', onVisible),
      unsubscribeCache,
    );
    this.client.connect();
  }

  retryNow(): void {
    this.client.retryNow();
  }

  /** Tells `fn` each time the server's analytics rollup has moved on (`analytics_updated`); returns the unsubscribe. */
  onAnalyticsUpdated(fn: (msg: AnalyticsUpdatedMessage) => void): () => void {
    this.analyticsListeners.add(fn);
    return () => void this.analyticsListeners.delete(fn);
  }

  /** Tells `fn` each time the server has taken a new status sample (`status_updated`); returns the unsubscribe. */
  onStatusUpdated(fn: (msg: StatusUpdatedMessage) => void): () => void {
    this.statusListeners.add(fn);
    return () => void this.statusListeners.delete(fn);
  }

  private onRawMessage(data: unknown): void {
    // Cheap filter first: every live event passes through here, and only rollup and status notices are worth parsing twice.
    if (typeof data !== 'string') return;
    const analytics = this.analyticsListeners.size > 0 && data.includes('"analytics_updated"');
    const status = !analytics && this.statusListeners.size > 0 && data.includes('"status_updated"');
    if (!analytics && !status) return;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return;
    }
    if (analytics) {
      const msg = analyticsUpdatedMessageSchema.safeParse(json);
      if (msg.success) for (const fn of this.analyticsListeners) fn(msg.data);
      return;
    }
    const msg = statusUpdatedMessageSchema.safeParse(json);
    if (msg.success) for (const fn of this.statusListeners) fn(msg.data);
  }

  stop(): void {
    for (const fn of this.unlisten.splice(0)) fn();
    clearTimeout(this.batchTimer);
    this.invalidator.dispose();
    this.client.close();
  }

  private onState(state: LiveState['connection'], detail: string | undefined): void {
    // The server ended the session (expired, revoked, signed out elsewhere): re-check it, which leads to the login page.
    if (state === 'unauthorized') void this.qc.invalidateQueries({ queryKey: keys.me });
    this.store.update((s) => {
      const live = state === 'live';
      return {
        connection: state,
        detail,
        attempts: this.client.attempts,
        nextAttemptAt: this.client.nextAttemptAt,
        lostAt: live ? s.lostAt : (s.lostAt ?? (s.everLive ? Date.now() : undefined)),
        awaitingFresh: live ? s.awaitingFresh : s.everLive,
        everLive: s.everLive || live,
      };
    });
  }

  /** A server message after a completed resync proves the data is current again. */
  private freshened(s: { connection: string; awaitingFresh: boolean }): { awaitingFresh?: boolean; lostAt?: undefined } {
    return s.connection === 'live' && s.awaitingFresh ? { awaitingFresh: false, lostAt: undefined } : {};
  }

  private onEvent(msg: EventMessage): void {
    const e = typed(msg);
    if (e) this.queue.push(e);
    if (this.store.get().awaitingFresh) this.store.update((s) => this.freshened(s));
    this.batchTimer ??= setTimeout(() => this.flush(), BATCH_MS);
  }

  private flush(): void {
    this.batchTimer = undefined;
    const events = this.queue;
    this.queue = [];
    if (events.length > 0)
      for (const q of this.qc.getQueryCache().getAll()) if (q.state.fetchStatus === 'fetching' && q.queryKey[0] !== 'me') this.readAgain.add(q.queryHash);
    applyWorkflowEvents(this.qc, events, this.ctx);
    applyStoryEvents(this.qc, events, this.ctx);
    applyProjectEvents(this.qc, events, this.ctx);
    applyDocumentEvents(this.qc, events, this.ctx);
    applyCostEvents(events, this.ctx);
    if (events.some((e) => e.eventType === 'agent.upserted' || e.eventType === 'user.upserted')) this.invalidator.invalidate(keys.directory);
    if (events.some((e) => e.eventType === 'sync.reported')) this.invalidator.invalidate(keys.syncStatus);
    for (const key of alertKeysFor(events.map((e) => e.eventType))) this.invalidator.invalidate(key);
  }

  /** The server could not replay what we missed: re-read everything, and say so instead of flickering. */
  private reload(): void {
    this.queue = [];
    // Everything read so far may predate the position the stream continues from: a read racing the snapshot cannot be
    // told apart from one that followed it, so all of it is re-read (cheap; live events then keep it current).
    void this.qc.invalidateQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
    // The first subscription also ends this way: that one is the initial load, not news for the user.
    if (this.subscribedOnce) this.store.update({ reloadedAt: Date.now() });
    this.subscribedOnce = true;
  }

  private subscribedOnce = false;
}

type LiveState = ReturnType<LiveStore['get']>;
