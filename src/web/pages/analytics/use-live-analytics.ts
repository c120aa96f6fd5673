import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useAnalyticsUpdates, useLive } from '../../live/live-context.js';
import { analyticsKeys } from '../../api/query-keys.js';
import { overlaps, type Range } from './analytics-params.js';

const THROTTLE_MS = 1000;

/**
 * Keeps the page's trends, outliers and open lineage current. Rollups are aggregates the client cannot patch, so an
 * `analytics_updated` whose buckets touch the visible range re-reads them: the first at once, then at most one per
 * second however many batches arrive (the last one is never dropped). After a reconnect the notices sent meanwhile
 * are gone, so coming back live re-reads too.
 */
export function useLiveAnalytics(range: Range | undefined): void {
  const qc = useQueryClient();
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const rangeRef = useRef(range);
  useEffect(() => {
    rangeRef.current = range;
  });

  const refetch = useRef(() => {
    last.current = Date.now();
    timer.current = undefined;
    for (const queryKey of [analyticsKeys.trends, analyticsKeys.outliers, analyticsKeys.lineage])
      void qc.invalidateQueries({ queryKey, refetchType: 'active' });
  }).current;

  const schedule = useRef(() => {
    if (timer.current !== undefined) return;
    const wait = Math.max(0, last.current + THROTTLE_MS - Date.now());
    timer.current = setTimeout(refetch, wait);
  }).current;

  useAnalyticsUpdates((msg) => {
    const r = rangeRef.current;
    if (r && overlaps(r, msg.from, msg.to)) schedule();
  });

  const { state } = useLive();
  // Only a loss after the connection had been live counts: the first connect is the initial load, not a gap.
  const lost = useRef(false);
  useEffect(() => {
    const live = state.connection === 'live' && !state.awaitingFresh;
    if (!live && state.everLive) lost.current = true;
    else if (live && lost.current) {
      lost.current = false;
      schedule();
    }
  }, [state.connection, state.awaitingFresh, state.everLive, schedule]);

  useEffect(() => () => clearTimeout(timer.current), []);
}
