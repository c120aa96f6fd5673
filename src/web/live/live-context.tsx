import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { AnalyticsUpdatedMessage, StatusUpdatedMessage, Topic } from '../../contracts/index.js';
import { LiveConnection } from './live-connection.js';
import { stalenessOf, type LiveState, type Staleness } from './live-store.js';

const LiveContext = createContext<LiveConnection | null>(null);

/** One live connection for the signed-in page; closed when the user signs out. */
export function LiveProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const [connection] = useState(() => new LiveConnection(qc));
  useEffect(() => {
    connection.start();
    return () => connection.stop();
  }, [connection]);
  return <LiveContext.Provider value={connection}>{children}</LiveContext.Provider>;
}

function useConnection(): LiveConnection {
  const c = useContext(LiveContext);
  if (!c) throw new Error('useLive must be used inside <LiveProvider>');
  return c;
}

export function useLive(): { state: LiveState; retryNow: () => void } {
  const c = useConnection();
  const state = useSyncExternalStore(c.store.subscribe, c.store.get);
  return { state, retryNow: () => c.retryNow() };
}

export function useStaleness(module: Topic): Staleness {
  return stalenessOf(useLive().state, module);
}

/** Calls `fn` on every `analytics_updated` message while the component is mounted (always the latest `fn`). */
export function useAnalyticsUpdates(fn: (msg: AnalyticsUpdatedMessage) => void): void {
  const c = useConnection();
  const latest = useRef(fn);
  useEffect(() => {
    latest.current = fn;
  });
  useEffect(() => c.onAnalyticsUpdated((msg) => latest.current(msg)), [c]);
}

/** Calls `fn` on every `status_updated` message (a new SLI sample) while the component is mounted. */
export function useStatusUpdates(fn: (msg: StatusUpdatedMessage) => void): void {
  const c = useConnection();
  const latest = useRef(fn);
  useEffect(() => {
    latest.current = fn;
  });
  useEffect(() => c.onStatusUpdated((msg) => latest.current(msg)), [c]);
}
