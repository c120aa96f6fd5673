import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { COUNT_STEPS } from '../../components/charts/time-series.js';
import { formatExact, RelativeTime } from '../../components/RelativeTime.js';
import { ErrorState, Loading, PageHeader } from '../../components/states.js';
import { useLive } from '../../live/live-context.js';
import type { SloKey, StatusResponse, StatusWindow } from '../../../contracts/index.js';
import { ConsistencyCard } from './ConsistencyCard.js';
import { FreshnessList } from './FreshnessList.js';
import { formatCount, formatMs, formatPerMinute, formatPerSecond, formatRatio } from './format.js';
import { SliCard, type Figure } from './SliCard.js';
import { SliChart } from './SliChart.js';
import { SloSummary } from './SloSummary.js';
import { statusQuery } from './status-queries.js';
import { useLiveStatus } from './use-live-status.js';

const WINDOWS: { value: StatusWindow; label: string }[] = [
  { value: '15m', label: 'Last 15 minutes' },
  { value: '24h', label: 'Last 24 hours' },
];

const shown = (v: number | null, fmt: (n: number) => string) => (v === null ? null : fmt(v));
const fig = (id: string, label: string, v: number | null, fmt: (n: number) => string): Figure => ({ id, label, value: shown(v, fmt) });

function WindowSwitch({ value, onChange }: { value: StatusWindow; onChange: (w: StatusWindow) => void }) {
  return (
    <div role="group" aria-label="Time window" className="inline-flex rounded border border-border bg-surface p-0.5 text-sm">
      {WINDOWS.map((w) => (
        <button
          key={w.value}
          type="button"
          aria-pressed={value === w.value}
          onClick={() => onChange(w.value)}
          className={`rounded px-3 py-1 ${value === w.value ? 'bg-accent font-semibold text-accent-fg' : 'text-fg hover:bg-surface-2'}`}
          data-testid={`window-${w.value}`}
        >
          {w.label}
        </button>
      ))}
    </div>
  );
}

/** Re-rendered every few seconds, so "stale" is said even when no notice arrives to say anything. */
function useTicker(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

/** How current the numbers are: the sampling, and a warning when samples or live updates have stopped. */
function Sampling({ data }: { data: StatusResponse }) {
  const now = useTicker(5000);
  const { state } = useLive();
  const last = data.lastSampleAt ? Date.parse(data.lastSampleAt) : null;
  const stale = data.sampleStale || (last !== null && Math.max(now, Date.now()) - last > 3 * data.sampleIntervalMs + 2000);
  const paused = state.everLive && state.connection !== 'live';
  return (
    <>
      <p className="mb-3 text-sm text-muted" data-testid="sampling">
        Sampled every {Math.round(data.sampleIntervalMs / 100) / 10} s from the server&apos;s own metrics (the numbers /metrics exports) · last sample{' '}
        <RelativeTime value={data.lastSampleAt} missing="not taken yet" /> · counters since the server started <RelativeTime value={data.serverStartedAt} />
      </p>
      {(stale || paused) && (
        <div role="status" className="mb-4 rounded-md border border-warn bg-warn-bg px-4 py-3 text-sm text-warn" data-testid="status-stale">
          <strong>The values below may be out of date.</strong>{' '}
          {stale && last !== null ? `No new sample since ${formatExact(last)}.` : stale ? 'No sample has been taken yet.' : ''}
          {paused ? ' Live updates are paused until the connection is back.' : ''}
        </div>
      )}
    </>
  );
}

function Cards({ data }: { data: StatusResponse }) {
  const c = data.current;
  const t = data.totals;
  const slo = (k: SloKey) => data.slos.find((s) => s.key === k);
  const chart = { series: data.series, resolutionMs: data.resolutionMs };
  const reporting = data.modules.filter((m) => m.syncStatus !== 'unknown').length;
  const dbName = data.database === 'sqlite' ? 'SQLite' : 'Postgres';
  const windowNote = 'Percentiles over the last 5 minutes, interpolated inside the histogram’s buckets (approximate: as exact as the bucket widths).';
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <div className="min-w-0 lg:col-span-2">
        <SliCard
          id="freshness"
          title="Freshness per module"
          slo={slo('freshness')}
          figures={[fig('stale-modules', 'Stale modules', c.stale_modules, formatCount), { id: 'reporting-modules', label: 'Modules with a source', value: `${reporting} of ${data.modules.length}` }]}
        >
          <FreshnessList modules={data.modules} />
          <SliChart label="Stale modules (of those with a source)" lines={[{ key: 'stale_modules', label: 'Stale modules' }]} format={formatCount} yIncrs={COUNT_STEPS} {...chart} />
        </SliCard>
      </div>
      <SliCard
        id="event-to-ui"
        title="Event → UI latency"
        slo={slo('event_to_ui')}
        figures={[
          fig('event-to-ui-p50', 'p50', c.event_to_ui_p50_ms, formatMs),
          fig('event-to-ui-p95', 'p95', c.event_to_ui_p95_ms, formatMs),
          fig('event-to-ui-p99', 'p99', c.event_to_ui_p99_ms, formatMs),
          fig('event-to-ui-acks', 'Acknowledged since start', t.eventToUiAcks, formatCount),
        ]}
        note={`From an event's commit to a browser acknowledging it, on the server's clock (clients acknowledge in batches every 100 ms, included). ${windowNote}`}
      >
        <SliChart
          label="Event → UI latency"
          lines={[
            { key: 'event_to_ui_p50_ms', label: 'p50' },
            { key: 'event_to_ui_p95_ms', label: 'p95' },
            { key: 'event_to_ui_p99_ms', label: 'p99' },
          ]}
          format={formatMs}
          {...chart}
        />
      </SliCard>
      <SliCard
        id="ingest"
        title="Ingest"
        figures={[
          fig('ingest-rate', 'Events stored', c.ingest_events_per_s, formatPerSecond),
          fig('ingest-rejected-rate', 'Rejected events', c.ingest_rejected_per_min, formatPerMinute),
          fig('ingest-refused-rate', 'Refused requests (429)', c.ingest_refused_per_min, formatPerMinute),
          fig('ingest-accepted-total', 'Stored since start', t.ingestAccepted, formatCount),
          fig('ingest-duplicate-total', 'Duplicates since start', t.ingestDuplicate, formatCount),
          fig('ingest-rejected-total', 'Rejected since start', t.ingestRejected, formatCount),
        ]}
        note="No objective: throughput depends on what is sent. Rates are over the last sample interval."
      >
        <SliChart label="Events stored per second" lines={[{ key: 'ingest_events_per_s', label: 'Events/s' }]} format={formatPerSecond} {...chart} />
        <SliChart
          label="Rejected events and refused requests per minute"
          lines={[
            { key: 'ingest_rejected_per_min', label: 'Rejected events' },
            { key: 'ingest_refused_per_min', label: 'Refused requests' },
          ]}
          format={formatPerMinute}
          {...chart}
        />
      </SliCard>
      <SliCard
        id="websocket"
        title="WebSocket sessions"
        figures={[
          fig('ws-sessions', 'Open sessions', c.ws_sessions, formatCount),
          fig('ws-reconnect-rate', 'Reconnects', c.ws_reconnects_per_min, formatPerMinute),
          { id: 'ws-reconnects-total', label: 'Reconnects since start', value: `${formatCount(t.wsReconnects)} (${formatCount(t.wsReconnectsRecovered)} replayed)` },
        ]}
        note="No objective of its own: the stale-session ratio below is what users feel. Reconnects are counted from resync requests."
      >
        <SliChart
          label="Open sessions and reconnects per minute"
          lines={[
            { key: 'ws_sessions', label: 'Open sessions' },
            { key: 'ws_reconnects_per_min', label: 'Reconnects/min' },
          ]}
          format={formatCount}
          yIncrs={COUNT_STEPS}
          {...chart}
        />
      </SliCard>
      <SliCard
        id="stale-sessions"
        title="Stale-session ratio"
        slo={slo('stale_sessions')}
        figures={[fig('stale-session-ratio', 'Sessions seeing a stale module', c.stale_session_ratio, formatRatio)]}
        note="Share of open sessions subscribed to at least one stale module. A module no source reports counts as stale for a session, as the server's gauge counts it."
      >
        <SliChart label="Stale-session ratio" lines={[{ key: 'stale_session_ratio', label: 'Stale sessions' }]} format={formatRatio} yMax={1} {...chart} />
      </SliCard>
      <SliCard
        id="write-lock"
        title={`Database write-lock wait (${dbName})`}
        slo={slo('write_lock_wait')}
        figures={[fig('write-lock-p95', 'p95', c.write_lock_wait_p95_ms, formatMs), fig('write-lock-p99', 'p99', c.write_lock_wait_p99_ms, formatMs)]}
        note={`Time to take the write lock (BEGIN IMMEDIATE with its retries). ${windowNote}`}
      >
        <SliChart
          label="Write-lock wait"
          lines={[
            { key: 'write_lock_wait_p95_ms', label: 'p95' },
            { key: 'write_lock_wait_p99_ms', label: 'p99' },
          ]}
          format={formatMs}
          {...chart}
        />
      </SliCard>
      <SliCard
        id="rollup"
        title="Analytics rollup lag"
        slo={slo('rollup_lag')}
        figures={[fig('rollup-lag-p95', 'p95 lag', c.rollup_lag_p95_ms, formatMs), fig('rollup-backlog', 'Events not yet rolled up', c.rollup_backlog_events, formatCount)]}
        note={`From an event being stored to the agent-metrics rollup folding it in (the oldest event of each batch). ${windowNote}`}
      >
        <SliChart label="Rollup lag, 95th percentile" lines={[{ key: 'rollup_lag_p95_ms', label: 'p95 lag' }]} format={formatMs} {...chart} />
      </SliCard>
      <SliCard
        id="sync-failures"
        title="Sync failures"
        slo={slo('sync_failures')}
        figures={[
          { id: 'sync-failing-modules', label: 'Modules failing now', value: shown(slo('sync_failures')?.value ?? null, formatCount) },
          fig('sync-failure-rate', 'Failed reports', c.sync_failures_per_min, formatPerMinute),
          fig('sync-failures-total', 'Failed reports since start', t.syncFailures, formatCount),
        ]}
        note="Per module, the failures since start are listed under Freshness."
      >
        <SliChart label="Failed sync reports per minute" lines={[{ key: 'sync_failures_per_min', label: 'Failed reports/min' }]} format={formatPerMinute} {...chart} />
      </SliCard>
      <ConsistencyCard check={data.consistency} slo={slo('consistency')} />
    </div>
  );
}

export default function StatusPage() {
  const [params, setParams] = useSearchParams();
  const win: StatusWindow = params.get('window') === '24h' ? '24h' : '15m';
  const q = useQuery({ ...statusQuery(win), placeholderData: keepPreviousData });
  useLiveStatus();
  const choose = (w: StatusWindow) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        if (w === '15m') next.delete('window');
        else next.set('window', w);
        return next;
      },
      { replace: true },
    );
  return (
    <div>
      <PageHeader title="Status">
        <WindowSwitch value={win} onChange={choose} />
      </PageHeader>
      {q.isPending ? (
        <Loading what="the status" />
      ) : q.isError && !q.data ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : q.data ? (
        <div data-testid="status-ready" data-window={q.data.window} data-sampled-at={q.data.lastSampleAt ?? ''} aria-busy={q.isPlaceholderData}>
          <Sampling data={q.data} />
          <SloSummary slos={q.data.slos} />
          <Cards data={q.data} />
        </div>
      ) : null}
    </div>
  );
}
