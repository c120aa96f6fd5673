import type { SloKey, StatusResponse } from '../../../contracts/index.js';
import { COUNT_STEPS } from '../../components/charts/time-series.js';
import { ConsistencyCard } from './ConsistencyCard.js';
import { FreshnessList } from './FreshnessList.js';
import { formatCount, formatMs, formatPerMinute, formatPerSecond, formatRatio } from './format.js';
import { SliCard, type Figure } from './SliCard.js';
import { SliChart } from './SliChart.js';

const shown = (v: number | null, fmt: (n: number) => string) => (v === null ? null : fmt(v));
const fig = (id: string, label: string, v: number | null, fmt: (n: number) => string): Figure => ({ id, label, value: shown(v, fmt) });

const windowNote = 'Percentiles over the last 5 minutes, interpolated inside the histogram’s buckets (approximate: as exact as the bucket widths).';

/** What every card reads from the status: current values, totals since start, its objective, and the chart data. */
function cardData(data: StatusResponse) {
  return {
    c: data.current,
    t: data.totals,
    slo: (k: SloKey) => data.slos.find((s) => s.key === k),
    chart: { series: data.series, resolutionMs: data.resolutionMs },
  };
}

/** Freshness per module: the stale modules, and which modules have a source. */
function FreshnessCard({ data }: { data: StatusResponse }) {
  const { c, slo, chart } = cardData(data);
  const reporting = data.modules.filter((m) => m.syncStatus !== 'unknown').length;
  return (
    <div className="min-w-0 lg:col-span-2">
      <SliCard
        id="freshness"
        title="Freshness per module"
        slo={slo('freshness')}
        figures={[
          fig('stale-modules', 'Stale modules', c.stale_modules, formatCount),
          { id: 'reporting-modules', label: 'Modules with a source', value: `${reporting} of ${data.modules.length}` },
        ]}
      >
        <FreshnessList modules={data.modules} />
        <SliChart
          label="Stale modules (of those with a source)"
          lines={[{ key: 'stale_modules', label: 'Stale modules' }]}
          format={formatCount}
          yIncrs={COUNT_STEPS}
          {...chart}
        />
      </SliCard>
    </div>
  );
}

/** Event → UI latency: from an event's commit to a browser acknowledging it. */
function LatencyCard({ data }: { data: StatusResponse }) {
  const { c, t, slo, chart } = cardData(data);
  return (
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
  );
}

/** Ingest: events stored, rejected and refused. */
function IngestCard({ data }: { data: StatusResponse }) {
  const { c, t, chart } = cardData(data);
  return (
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
  );
}

/** WebSocket sessions: open sessions and reconnects. */
function WebSocketCard({ data }: { data: StatusResponse }) {
  const { c, t, chart } = cardData(data);
  return (
    <SliCard
      id="websocket"
      title="WebSocket sessions"
      figures={[
        fig('ws-sessions', 'Open sessions', c.ws_sessions, formatCount),
        fig('ws-reconnect-rate', 'Reconnects', c.ws_reconnects_per_min, formatPerMinute),
        {
          id: 'ws-reconnects-total',
          label: 'Reconnects since start',
          value: `${formatCount(t.wsReconnects)} (${formatCount(t.wsReconnectsRecovered)} replayed)`,
        },
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
  );
}

/** Stale-session ratio: the share of open sessions seeing a stale module. */
function StaleSessionsCard({ data }: { data: StatusResponse }) {
  const { c, slo, chart } = cardData(data);
  return (
    <SliCard
      id="stale-sessions"
      title="Stale-session ratio"
      slo={slo('stale_sessions')}
      figures={[fig('stale-session-ratio', 'Sessions seeing a stale module', c.stale_session_ratio, formatRatio)]}
      note="Share of open sessions subscribed to at least one stale module. A module no source reports counts as stale for a session, as the server's gauge counts it."
    >
      <SliChart label="Stale-session ratio" lines={[{ key: 'stale_session_ratio', label: 'Stale sessions' }]} format={formatRatio} yMax={1} {...chart} />
    </SliCard>
  );
}

/** Database write-lock wait. */
function WriteLockCard({ data }: { data: StatusResponse }) {
  const { c, slo, chart } = cardData(data);
  const dbName = data.database === 'sqlite' ? 'SQLite' : 'Postgres';
  return (
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
  );
}

/** Analytics rollup lag. */
function RollupCard({ data }: { data: StatusResponse }) {
  const { c, slo, chart } = cardData(data);
  return (
    <SliCard
      id="rollup"
      title="Analytics rollup lag"
      slo={slo('rollup_lag')}
      figures={[
        fig('rollup-lag-p95', 'p95 lag', c.rollup_lag_p95_ms, formatMs),
        fig('rollup-backlog', 'Events not yet rolled up', c.rollup_backlog_events, formatCount),
      ]}
      note={`From an event being stored to the agent-metrics rollup folding it in (the oldest event of each batch). ${windowNote}`}
    >
      <SliChart label="Rollup lag, 95th percentile" lines={[{ key: 'rollup_lag_p95_ms', label: 'p95 lag' }]} format={formatMs} {...chart} />
    </SliCard>
  );
}

/** Sync failures: modules failing now, and failed reports. */
function SyncFailuresCard({ data }: { data: StatusResponse }) {
  const { c, t, slo, chart } = cardData(data);
  return (
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
      <SliChart
        label="Failed sync reports per minute"
        lines={[{ key: 'sync_failures_per_min', label: 'Failed reports/min' }]}
        format={formatPerMinute}
        {...chart}
      />
    </SliCard>
  );
}

/** The status cards: one per indicator, each with its objective, figures and chart. */
export function Cards({ data }: { data: StatusResponse }) {
  const slo = (k: SloKey) => data.slos.find((s) => s.key === k);
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <FreshnessCard data={data} />
      <LatencyCard data={data} />
      <IngestCard data={data} />
      <WebSocketCard data={data} />
      <StaleSessionsCard data={data} />
      <WriteLockCard data={data} />
      <RollupCard data={data} />
      <SyncFailuresCard data={data} />
      <ConsistencyCard check={data.consistency} slo={slo('consistency')} />
    </div>
  );
}
