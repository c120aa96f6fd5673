import { useLive } from '../live/live-context.js';
import { describeConnection } from '../live/live-store.js';

const DOT: Record<string, string> = {
  live: 'bg-ok',
  syncing: 'bg-info',
  connecting: 'bg-info',
  reconnecting: 'bg-warn',
  degraded: 'bg-danger',
  unauthorized: 'bg-danger',
  closed: 'bg-muted',
};

const SHORT: Record<string, string> = {
  live: 'Live',
  syncing: 'Syncing',
  connecting: 'Connecting',
  reconnecting: 'Reconnecting',
  degraded: 'Offline',
  unauthorized: 'Signed out',
  closed: 'Not connected',
};

/** The global connection state: a word and a dot, with the full reason on hover and for screen readers. */
export function ConnectionIndicator() {
  const { state, retryNow } = useLive();
  const label = state.connection === 'live' && state.awaitingFresh ? 'syncing' : state.connection;
  return (
    <div className="flex items-center gap-2 text-sm" data-testid="connection-indicator" data-state={label}>
      <span className={`inline-block h-2.5 w-2.5 rounded-full ${DOT[label]}`} aria-hidden="true" />
      <span title={describeConnection(state)}>
        <span className="sr-only">Connection: </span>
        {SHORT[label]}
      </span>
      {state.connection === 'degraded' && (
        <button type="button" onClick={retryNow} className="rounded border border-border px-2 py-0.5 text-xs hover:bg-surface-2">
          Retry now
        </button>
      )}
    </div>
  );
}
