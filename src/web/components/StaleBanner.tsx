import type { Topic } from '../../contracts/index.js';
import { useLive } from '../live/live-context.js';
import { stalenessOf } from '../live/live-store.js';
import { NoSourceNotice } from './NoSourceNotice.js';
import { formatExact, RelativeTime } from './RelativeTime.js';

const MODULE_LABEL: Record<Topic, string> = {
  workflow: 'Workflows',
  project: 'Projects',
  story: 'Stories',
  cost: 'Costs',
  agent: 'Agents',
  sync: 'Sync',
  document: 'Documents',
};

/**
 * Says, per module, whether what is on screen may be out of date: since when and why. It clears only after a
 * completed resync and a fresh message from the server (the LiveStore's rule), never on a timer.
 */
export function StaleBanner({ modules }: { modules: Topic[] }) {
  const { state, retryNow } = useLive();
  const stale = modules.map((m) => ({ module: m, ...stalenessOf(state, m) })).filter((s) => s.stale);
  const failingSync = modules.map((m) => state.sync[m]).filter((s) => s && s.status === 'failed');
  // A module no source has ever reported on is not known to be stale, only of unknown freshness: say so quietly, and
  // when nothing of that kind is connected at all (sync status "unknown"), say how to connect it.
  const unknown = stale.filter((s) => s.kind === 'source' && s.since === null);
  const notConnected = unknown.filter((u) => state.sync[u.module]?.status === 'unknown').map((u) => u.module);
  const unknownConnected = unknown.filter((u) => !notConnected.includes(u.module));
  const stale2 = stale.filter((s) => !unknown.includes(s));
  if (stale2.length === 0 && failingSync.length === 0) {
    if (unknown.length === 0) return null;
    return (
      <>
        {notConnected.length > 0 && <NoSourceNotice modules={notConnected} />}
        {unknownConnected.length > 0 && (
          <p data-testid="freshness-unknown" className="mb-4 rounded-md border border-border bg-surface px-4 py-2 text-sm text-muted">
            Freshness unknown for {unknownConnected.map((u) => MODULE_LABEL[u.module]).join(', ')}: no source has reported sync health for{' '}
            {unknownConnected.length > 1 ? 'them' : 'it'} yet. Live updates are on.
          </p>
        )}
      </>
    );
  }
  const connection = stale2.find((s) => s.kind === 'connection');
  return (
    <div role="status" aria-live="polite" data-testid="stale-banner" className="mb-4 rounded-md border border-warn bg-warn-bg px-4 py-3 text-sm text-warn">
      {connection ? (
        <p>
          <strong>Live updates paused — data may be out of date.</strong> {modules.map((m) => MODULE_LABEL[m]).join(', ')} {modules.length > 1 ? 'are' : 'is'}{' '}
          stale
          {connection.since !== null && (
            <>
              {' '}
              since <time dateTime={new Date(connection.since).toISOString()}>{formatExact(connection.since)}</time>
            </>
          )}
          : {connection.reason}.
          {(state.connection === 'degraded' || state.connection === 'reconnecting') && (
            <button type="button" onClick={retryNow} className="ml-2 rounded border border-warn px-2 py-0.5 font-medium hover:bg-surface">
              Retry now
            </button>
          )}
        </p>
      ) : (
        stale2.map((s) => (
          <p key={s.module}>
            <strong>{MODULE_LABEL[s.module]} data is stale</strong>
            {s.since !== null && (
              <>
                {' '}
                — last update <RelativeTime value={typeof s.since === 'string' ? s.since : new Date(s.since).toISOString()} />
              </>
            )}
            {s.reason ? `: ${s.reason}` : '.'}
          </p>
        ))
      )}
      {failingSync.map((s) => (
        <p key={s!.module}>
          <strong>{MODULE_LABEL[s!.module]} sync is failing</strong>: {s!.error ?? 'no error given'} (last successful sync{' '}
          <RelativeTime value={s!.lastSuccessfulSyncAt} missing="never" />
          ).
        </p>
      ))}
    </div>
  );
}
