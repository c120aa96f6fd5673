import type { ModuleFreshness, Topic } from '../../../contracts/index.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { SloBadge } from './SloBadge.js';

export const MODULE_NAMES: Record<Topic, string> = {
  workflow: 'Workflows',
  project: 'Projects',
  story: 'Stories',
  cost: 'Costs',
  agent: 'Agents',
  sync: 'Sync',
  document: 'Documents',
};

/** Why a module is in its state, for people: the server's reason, or what "no source" means. */
function why(m: ModuleFreshness): string {
  if (m.syncStatus === 'unknown') return 'No source reports this module’s sync health yet, so its freshness is unknown (not counted as stale).';
  if (m.isStale) return m.reason ?? 'Stale.';
  if (m.state === 'at_risk') return 'Past its expected report interval, not yet stale.';
  return `Fresh: ${m.sources} source${m.sources === 1 ? '' : 's'} reporting on time.`;
}

/** Per module: the last event, the last successful sync, stale or not and why (the sync view the banners use). */
export function FreshnessList({ modules }: { modules: readonly ModuleFreshness[] }) {
  return (
    <ul className="mt-3 grid gap-3 lg:grid-cols-2" data-testid="module-freshness">
      {modules.map((m) => (
        <li
          key={m.module}
          className="min-w-0 rounded border border-border p-3"
          data-testid="module-row"
          data-module={m.module}
          data-state={m.state}
          data-stale={String(m.isStale && m.syncStatus !== 'unknown')}
        >
          <div className="flex flex-wrap items-center justify-between gap-2">
            <h3 className="font-medium">{MODULE_NAMES[m.module]}</h3>
            <SloBadge state={m.state} />
          </div>
          <dl className="mt-2 grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-3">
            <div className="min-w-0">
              <dt className="text-xs text-muted">Last event</dt>
              <dd>
                <RelativeTime value={m.lastEventAt} missing="none lately" />
              </dd>
            </div>
            <div className="min-w-0">
              <dt className="text-xs text-muted">Last successful sync</dt>
              <dd>
                <RelativeTime value={m.lastSuccessfulSyncAt} missing={m.syncStatus === 'unknown' ? 'no source' : 'never'} />
              </dd>
            </div>
            <div className="min-w-0">
              <dt className="text-xs text-muted">Failures since start</dt>
              <dd className="tabular-nums" data-testid="module-failures">
                {m.failuresSinceStart}
              </dd>
            </div>
          </dl>
          <p className="mt-2 break-words text-sm text-muted" data-testid="module-why">
            {why(m)}
          </p>
        </li>
      ))}
    </ul>
  );
}
