import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useLive, useStatusUpdates } from '../../live/live-context.js';
import { statusKeys } from '../../api/query-keys.js';

const THROTTLE_MS = 1000;

/**
 * Keeps the status page current the way the analytics page is: the server pushes a small `status_updated` notice on
 * the WebSocket after each sample, and the page re-reads GET /status (the first notice at once, then at most one read
 * per second, the last one never dropped). Samples are aggregates the client cannot patch, and the notice costs one
 * frame per sample instead of a poll per open page. Notices sent while the connection was down are lost, so coming
 * back live re-reads too.
 */
export function useLiveStatus(): void {
  const qc = useQueryClient();
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const refetch = useRef(() => {
    last.current = Date.now();
    timer.current = undefined;
    void qc.invalidateQueries({ queryKey: statusKeys.all, refetchType: 'active' });
  }).current;

  const schedule = useRef(() => {
    if (timer.current !== undefined) return;
    timer.current = setTimeout(refetch, Math.max(0, last.current + THROTTLE_MS - Date.now()));
  }).current;

  useStatusUpdates(() => schedule());

  const { state } = useLive();
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
